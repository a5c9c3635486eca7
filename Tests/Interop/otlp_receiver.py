"""An OTLP receiver for the OpenTelemetry tests, built on the official protobuf definitions
(PyPI opentelemetry-proto, its generated gRPC services) with grpcio for OTLP/gRPC and Python's
own HTTP server for OTLP/HTTP (binary protobuf, POST /v1/metrics, /v1/traces, /v1/logs). It
keeps every request and flattens them for assertions; no part of it is synse-swift's code."""
import http.server
import threading
from concurrent import futures

import grpc
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

from helpers import free_port


def attributes(pairs):
    """{key: python value} of a repeated KeyValue."""
    result = {}
    for pair in pairs:
        kind = pair.value.WhichOneof("value")
        result[pair.key] = getattr(pair.value, kind) if kind else None
    return result


class Receiver:
    """`protocol` is "grpc" or "http/protobuf"; `endpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes."""

    def __init__(self, protocol="grpc"):
        self.protocol = protocol
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.requests = {"metrics": [], "traces": [], "logs": []}
        if protocol == "grpc":
            self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
            receiver = self

            class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
                def Export(self, request, context):
                    receiver.keep("metrics", request)
                    return metrics_service_pb2.ExportMetricsServiceResponse()

            class Traces(trace_service_pb2_grpc.TraceServiceServicer):
                def Export(self, request, context):
                    receiver.keep("traces", request)
                    return trace_service_pb2.ExportTraceServiceResponse()

            class Logs(logs_service_pb2_grpc.LogsServiceServicer):
                def Export(self, request, context):
                    receiver.keep("logs", request)
                    return logs_service_pb2.ExportLogsServiceResponse()

            metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), self.server)
            trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), self.server)
            logs_service_pb2_grpc.add_LogsServiceServicer_to_server(Logs(), self.server)
            self.server.add_insecure_port(f"127.0.0.1:{self.port}")
            self.server.start()
        else:
            receiver = self
            types = {"/v1/metrics": ("metrics", metrics_service_pb2.ExportMetricsServiceRequest, metrics_service_pb2.ExportMetricsServiceResponse),
                     "/v1/traces": ("traces", trace_service_pb2.ExportTraceServiceRequest, trace_service_pb2.ExportTraceServiceResponse),
                     "/v1/logs": ("logs", logs_service_pb2.ExportLogsServiceRequest, logs_service_pb2.ExportLogsServiceResponse)}

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    if self.path not in types or self.headers.get("Content-Type") != "application/x-protobuf":
                        self.send_response(404)
                        self.end_headers()
                        return
                    signal, request_type, response_type = types[self.path]
                    request = request_type()
                    request.ParseFromString(body)
                    receiver.keep(signal, request)
                    reply = response_type().SerializeToString()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-protobuf")
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)

                def log_message(self, *args):
                    pass

            self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
            threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def keep(self, signal, request):
        with self.lock:
            self.requests[signal].append(request)

    def stop(self):
        if self.protocol == "grpc":
            self.server.stop(0)
        else:
            self.server.shutdown()
            self.server.server_close()

    def metrics(self):
        """[(resource attributes, name, unit, kind, point attributes, value)] of every data point."""
        points = []
        with self.lock:
            requests = list(self.requests["metrics"])
        for request in requests:
            for resource_metrics in request.resource_metrics:
                resource = attributes(resource_metrics.resource.attributes)
                for scope in resource_metrics.scope_metrics:
                    for metric in scope.metrics:
                        kind = metric.WhichOneof("data")
                        if kind not in ("gauge", "sum"):
                            continue
                        for point in getattr(metric, kind).data_points:
                            value = point.as_double if point.WhichOneof("value") == "as_double" else point.as_int
                            points.append((resource, metric.name, metric.unit, kind, attributes(point.attributes), value))
        return points

    def spans(self):
        """[dict(service, name, kind, trace, span, parent, attributes)] of every span."""
        result = []
        with self.lock:
            requests = list(self.requests["traces"])
        for request in requests:
            for resource_spans in request.resource_spans:
                resource = attributes(resource_spans.resource.attributes)
                for scope in resource_spans.scope_spans:
                    for span in scope.spans:
                        result.append({"service": resource.get("service.name"), "name": span.name, "kind": span.kind,
                                       "trace": span.trace_id.hex(), "span": span.span_id.hex(),
                                       "parent": span.parent_span_id.hex(), "attributes": attributes(span.attributes)})
        return result

    def logs(self):
        """[dict(service, body, trace, span, severity, attributes)] of every log record."""
        result = []
        with self.lock:
            requests = list(self.requests["logs"])
        for request in requests:
            for resource_logs in request.resource_logs:
                resource = attributes(resource_logs.resource.attributes)
                for scope in resource_logs.scope_logs:
                    for record in scope.log_records:
                        result.append({"service": resource.get("service.name"), "body": record.body.string_value,
                                       "trace": record.trace_id.hex(), "span": record.span_id.hex(),
                                       "severity": record.severity_text, "attributes": attributes(record.attributes)})
        return result
