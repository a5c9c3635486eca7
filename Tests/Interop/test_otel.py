"""OpenTelemetry export (issue 21) to a receiver built on the official OTLP protobuf definitions
(otlp_receiver.py): device readings as `hw.*` metrics for the emulator's and the hwmon
fixture's devices, one trace per /v3/read/{id} across the server and the plugin process, log
records carrying trace IDs, OTLP/HTTP as well as OTLP/gRPC, and a receiver that is down
costing nothing but a counter."""
import asyncio
import os
import time
import urllib.request
from contextlib import contextmanager

import aiohttp
import pytest

from helpers import (CLIENT_DEVICES, FIXTURES, device, free_port, get, otel_environment, request, run, samples, scrape, spans_of,
                     start_hwmon, start_plugin, start_server, stop, value, wait_for, wait_until_serving)
from otlp_receiver import Receiver

CLIENT, SERVER_KIND, INTERNAL = 3, 2, 1  # Span.SpanKind


@contextmanager
def environment(**variables):
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A gRPC receiver; the hwmon plugin on the server fixture (PLUGIN_OTEL_ENABLED) and the
    emulator (`otel: {enabled: true}` in its config) exporting to it; the server with
    `otel.enabled`, resource attributes from its config and OTEL_RESOURCE_ATTRIBUTES."""
    receiver = Receiver("grpc")
    variables = otel_environment(receiver)
    hwmon_port, emulator_port = free_port(), free_port()
    hwmon = start_hwmon(FIXTURES / "server", f"{{type: tcp, address: '127.0.0.1:{hwmon_port}'}}", PLUGIN_OTEL_ENABLED="true", **variables)
    with environment(**variables):
        emulator, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{emulator_port}'}}", CLIENT_DEVICES, "otel: {enabled: true}\n")
    log = tmp_path_factory.mktemp("otel") / "server.log"
    try:
        wait_until_serving(hwmon)
        wait_until_serving(emulator)
        server, base, _ = start_server(
            {"SYNSE_PLUGIN_TCP": f"127.0.0.1:{hwmon_port},127.0.0.1:{emulator_port}", "SYNSE_METRICS_ENABLED": "true",
             "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test,rack=r99", **variables},
            extra_config="otel: {enabled: true, resource_attributes: {site: dc1, rack: r12}}\n", log=str(log))
        wait_for(lambda: len(get(base, "/v3/plugin")[1]) == 2)
        yield receiver, base, log
        stop(server)
    finally:
        stop(hwmon)
        stop(emulator)
        receiver.stop()


def latest(receiver, name, hw_id):
    points = [point for point in receiver.metrics() if point[1] == name and point[4].get("hw.id") == hw_id]
    return points[-1] if points else None


def test_hw_metrics_for_hwmon_and_emulator_devices(stack):
    receiver, base, _ = stack
    package = device(base, "Package id 0")  # coretemp temp1, 41 °C
    wait_for(lambda: latest(receiver, "hw.temperature", package["id"]) is not None, timeout=20)
    resource, name, unit, kind, attributes, number = latest(receiver, "hw.temperature", package["id"])
    assert (unit, kind, number) == ("Cel", "gauge", 41.0)
    assert number == get(base, f"/v3/read/{package['id']}")[1][0]["value"]
    assert attributes["hw.name"] == "Package id 0" and attributes["hw.type"] == "temperature"
    assert attributes["hw.parent"] == package["plugin"] == attributes["synse.plugin"]
    # OTEL_RESOURCE_ATTRIBUTES adds to otel.resource_attributes and wins on a clash (rack).
    assert resource["service.name"] == "synse-server" and resource["site"] == "dc1" and resource["rack"] == "r99"
    assert resource["deployment.environment"] == "test" and resource["host.name"]

    by_name = {}
    for point in receiver.metrics():
        by_name.setdefault(point[1], set()).add((point[2], point[3]))
    assert by_name["hw.voltage"] == {("V", "gauge")}
    assert by_name["hw.fan.speed"] == {("rpm", "gauge")}
    assert by_name["hw.power"] == {("W", "gauge")}
    assert by_name["hw.energy"] == {("J", "sum")}  # a counter: i915 energy1_input
    assert ("%", "gauge") in by_name["synse.device.humidity"]  # no convention: sht3x
    assert ("A", "gauge") in by_name["synse.device.current"]
    energy = [p for p in receiver.metrics() if p[1] == "hw.energy"][-1]
    assert energy[5] == pytest.approx(123456.789, rel=1e-6)
    # The emulator's devices too (values change as it runs).
    emulator_temperature = device(base, "Synse Temperature Sensor 1")
    wait_for(lambda: latest(receiver, "hw.temperature", emulator_temperature["id"]) is not None)
    assert latest(receiver, "hw.temperature", emulator_temperature["id"])[4]["hw.parent"] == emulator_temperature["plugin"] != package["plugin"]


def test_sensor_health_as_hw_status(stack):
    receiver, base, _ = stack
    auxtin0, package = device(base, "AUXTIN0"), device(base, "Package id 0")  # 127 °C past its _max: warning

    def states(hw_id):
        latest_by_state = {}
        for point in receiver.metrics():
            if point[1] == "hw.status" and point[4].get("hw.id") == hw_id:
                latest_by_state[point[4]["hw.state"]] = point[5]
        return latest_by_state
    wait_for(lambda: states(auxtin0["id"]).get("degraded") == 1, timeout=20)
    assert states(auxtin0["id"]) == {"ok": 0, "degraded": 1, "failed": 0}
    wait_for(lambda: states(package["id"]).get("ok") == 1)
    assert states(package["id"]) == {"ok": 1, "degraded": 0, "failed": 0}
    unit = {point[2] for point in receiver.metrics() if point[1] == "hw.status"}
    assert unit == {"1"}


def test_one_trace_per_read_from_http_to_the_plugin_handler(stack):
    receiver, base, _ = stack
    package = device(base, "Package id 0")
    # The caller's trace context is continued (W3C traceparent).
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    req = urllib.request.Request(base + f"/v3/read/{package['id']}", headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.status == 200

    def complete():
        names = {(span["service"], span["name"]) for span in spans_of(receiver, trace)}
        return {("synse-server", "GET /v3/read/{device_id}"), ("synse-server", "synse.V3Plugin/Read"),
                ("synse-hwmon-plugin", "synse.V3Plugin/Read"), ("synse-hwmon-plugin", "read temperature")} <= names
    wait_for(complete, timeout=20)
    spans = {(span["service"], span["name"]): span for span in spans_of(receiver, trace)}
    http = spans[("synse-server", "GET /v3/read/{device_id}")]
    client = spans[("synse-server", "synse.V3Plugin/Read")]
    plugin = spans[("synse-hwmon-plugin", "synse.V3Plugin/Read")]
    handler = spans[("synse-hwmon-plugin", "read temperature")]
    assert http["parent"] == "00f067aa0ba902b7" and http["kind"] == SERVER_KIND
    # The HTTP semantic conventions' attributes of a server span.
    assert {key: http["attributes"].get(key) for key in ["http.request.method", "url.path", "http.route", "http.response.status_code",
                                                          "client.address"]} == {
        "http.request.method": "GET", "url.path": f"/v3/read/{package['id']}", "http.route": "/v3/read/{device_id}",
        "http.response.status_code": 200, "client.address": "127.0.0.1"}, http["attributes"]
    assert http["attributes"]["user_agent.original"].startswith("Python-urllib/")
    assert client["parent"] == http["span"] and client["kind"] == CLIENT
    assert client["attributes"]["rpc.system"] == "grpc" and client["attributes"]["synse.plugin"] == package["plugin"]
    assert plugin["parent"] == client["span"] and plugin["kind"] == SERVER_KIND
    assert handler["parent"] == plugin["span"] and handler["attributes"]["synse.device"] == package["id"]
    # Another read is another trace.
    assert get(base, f"/v3/read/{package['id']}")[0] == 200
    wait_for(lambda: len({s["trace"] for s in receiver.spans() if s["name"] == "GET /v3/read/{device_id}"}) >= 2)


def test_a_write_traces_into_the_plugin_handler_and_logs_carry_trace_ids(stack):
    receiver, base, log = stack
    led = next(d for d in get(base, "/v3/scan")[1] if d["type"] == "led")
    status, _ = request(base, f"/v3/write/wait/{led['id']}", "POST", [{"action": "state", "data": "on"}])
    assert status == 200
    wait_for(lambda: any(s["name"] == "write led" and s["service"] == "synse-emulator-plugin" for s in receiver.spans()), timeout=20)
    write = next(s for s in receiver.spans() if s["name"] == "write led")

    def chain_to_root():
        # The plugin's and the server's spans reach the receiver in separate batches.
        chain = {s["span"]: s for s in spans_of(receiver, write["trace"])}
        names, span = [], write
        while span:
            names.append((span["service"], span["name"]))
            span = chain.get(span["parent"])
        return names
    wait_for(lambda: chain_to_root()[-1] == ("synse-server", "POST /v3/write/wait/{device_id}"), timeout=20)
    assert len(chain_to_root()) == 4, chain_to_root()

    # A refused write is logged inside its request's span: the record carries the trace.
    status, _ = request(base, "/v3/write/wait/no-such-device", "POST", [{"action": "state", "data": "on"}])
    assert status == 404
    wait_for(lambda: any(r["body"] == "write refused" and r["trace"] for r in receiver.logs()), timeout=20)
    record = next(r for r in receiver.logs() if r["body"] == "write refused" and r["trace"])
    http = [s for s in spans_of(receiver, record["trace"]) if s["name"] == "POST /v3/write/wait/{device_id}"]
    assert http and http[0]["span"] == record["span"]
    assert record["service"] == "synse-server"
    # And the local log line names the trace too.
    wait_for(lambda: f"trace_id={record['trace']}" in log.read_text())


def test_a_websocket_request_is_a_span(stack):
    receiver, base, _ = stack

    async def ask():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(base.replace("http", "ws") + "/v3/connect") as ws:
                await ws.send_json({"id": 7, "event": "request/status"})
                return (await ws.receive_json(timeout=10))["event"]
    assert run(ask()) == "response/status"
    wait_for(lambda: any(s["name"] == "websocket request/status" for s in receiver.spans()), timeout=20)


def test_otlp_http_protobuf_an_embedded_plugin_in_the_trace_and_export_failure_counters(tmp_path):
    receiver = Receiver("http/protobuf")
    variables = otel_environment(receiver, "http/protobuf")
    try:
        server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_OTEL_ENABLED": "true", "SYNSE_METRICS_ENABLED": "true",
                                        "OTEL_SERVICE_NAME": "", **variables})
        try:
            temperature = next(d for d in get(base, "/v3/scan")[1] if d["type"] == "temperature")
            assert get(base, f"/v3/read/{temperature['id']}")[0] == 200
            wait_for(lambda: any(p[1] == "hw.temperature" and p[2] == "Cel" for p in receiver.metrics()), timeout=20)
            # The embedded plugin continues the request's trace with the server's tracer (an
            # empty OTEL_SERVICE_NAME is unset, as the specification says).
            wait_for(lambda: any(s["name"] == "read temperature" for s in receiver.spans()), timeout=20)
            handler = next(s for s in receiver.spans() if s["name"] == "read temperature")
            chain = {s["span"]: s for s in spans_of(receiver, handler["trace"])}
            names, span = [], handler
            while span:
                names.append((span["service"], span["name"], span["kind"]))
                span = chain.get(span["parent"])
            assert names == [("synse-server", "read temperature", INTERNAL), ("synse-server", "synse.V3Plugin/Read", SERVER_KIND),
                             ("synse-server", "synse.V3Plugin/Read", CLIENT), ("synse-server", "GET /v3/read/{device_id}", SERVER_KIND)], names
            # A streamed body (/v3/readcache calls the plugin while it is written) stays in the
            # request's trace.
            trace = "5bf92f3577b34da6a3ce929d0e0e4737"
            req = urllib.request.Request(base + "/v3/readcache", headers={"traceparent": f"00-{trace}-00f067aa0ba902b7-01"})
            with urllib.request.urlopen(req, timeout=10) as response:
                assert response.status == 200 and response.read()

            def readcache_chain():
                spans = {(s["name"], s["kind"]): s for s in spans_of(receiver, trace)}
                http, client = spans.get(("GET /v3/readcache", SERVER_KIND)), spans.get(("synse.V3Plugin/ReadCache", CLIENT))
                return http and client and client["parent"] == http["span"] and http["parent"] == "00f067aa0ba902b7"
            wait_for(readcache_chain, timeout=20)
            wait_for(lambda: receiver.logs(), timeout=20)
            # The receiver goes away: exports of each signal fail and are counted under it; the
            # API does not wait on them.
            receiver.stop()
            started = time.time()
            for _ in range(20):
                assert get(base, f"/v3/read/{temperature['id']}")[0] == 200
            assert time.time() - started < 5
            # A refused write is a log line to export too.
            assert request(base, "/v3/write/wait/no-such-device", "POST", [{"action": "state", "data": "on"}])[0] == 404

            def failed(signal):
                return value(samples(scrape(base)[1]), "synse_otel_export_failures_total", signal=signal) or 0
            wait_for(lambda: failed("metrics") > 0 and failed("traces") > 0 and failed("logs") > 0, timeout=40)
        finally:
            # Stopping does not wait out the exporters' retries to a receiver that is gone.
            started = time.time()
            stop(server)
            assert server.returncode == 0 and time.time() - started < 6.5
    finally:
        receiver.stop()


@pytest.mark.parametrize("variable, value, hint", [
    ("OTEL_EXPORTER_OTLP_PROTOCOL", "udp", "grpc"),
    ("OTEL_TRACES_SAMPLER", "sometimes", "OTEL_TRACES_SAMPLER='sometimes' cannot be used"),
    # What swift-otel would stop the process on, fail every export with, or loop on.
    ("OTEL_TRACES_SAMPLER", "jaeger_remote", "parentbased_traceidratio"),
    ("OTEL_PROPAGATORS", "tracecontext,baggage", "tracecontext or none"),
    ("OTEL_TRACES_EXPORTER", "zipkin", "otlp, none"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317", "http:// or https:// URL"),
    ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://", "http:// or https:// URL"),
    ("OTEL_METRIC_EXPORT_INTERVAL", "0", "positive whole number of milliseconds"),
    ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem", "readable PEM file"),
    ("OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc", "readable PEM file"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999", "http:// or https:// URL"),
    ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999999999999999999", "a port from 1 to 65535"),
    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://user:secret@collector:4318", "no user info"),
])
def test_an_unusable_otel_variable_stops_startup_naming_it(tmp_path, variable, value, hint):
    from helpers import BINARY, SERVER, plugin_config
    environment = dict(os.environ, **{variable: value})
    server = subprocess_run([str(SERVER), "--port", str(free_port())], dict(environment, SYNSE_OTEL_ENABLED="true", SYNSE_PLUGIN_EMBEDDED=""))
    assert server.returncode == 2 and variable in server.stderr and hint in server.stderr, server.stderr
    assert "secret" not in server.stderr, server.stderr  # a refused endpoint's password is not printed
    config = plugin_config(f"{{type: tcp, address: '127.0.0.1:{free_port()}'}}")
    plugin = subprocess_run([str(BINARY), "--dry-run"], dict(environment, PLUGIN_OTEL_ENABLED="true", PLUGIN_CONFIG=str(config)))
    assert plugin.returncode == 2 and variable in plugin.stdout + plugin.stderr and "otel.enabled" in plugin.stdout + plugin.stderr
    assert "secret" not in plugin.stdout + plugin.stderr


def subprocess_run(command, environment):
    import subprocess
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=30)


def test_otel_sdk_disabled_turns_export_off_and_the_server_serves():
    from helpers import SERVER
    import subprocess
    port = free_port()
    environment = dict(os.environ, OTEL_SDK_DISABLED="true", SYNSE_OTEL_ENABLED="true", SYNSE_PLUGIN_EMBEDDED="emulator",
                       OTEL_EXPORTER_OTLP_ENDPOINT="")
    server = subprocess.Popen([str(SERVER), "--port", str(port)], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(base, "/v3/scan")[0] == 200 and get(base, "/v3/scan")[1], timeout=30)
    finally:
        stop(server)
    assert server.returncode == 0
