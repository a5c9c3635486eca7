"""Kubernetes endpoint discovery against a recorded Endpoints response served over HTTPS on
loopback, with a service-account token and CA like a pod's."""
import http.server
import json
import ssl
import tempfile
import threading
from pathlib import Path

from conftest import CLIENT_DEVICES, free_port, start_plugin, stop, wait_until_serving
from test_server_http import get, start_server, wait_for
from test_tls import make_pki

# An Endpoints list as the API server returns it (trimmed of managedFields and the like).
RECORDED = {
    "kind": "EndpointsList", "apiVersion": "v1", "metadata": {"resourceVersion": "12345"},
    "items": [{
        "metadata": {"name": "emulator", "namespace": "synse", "labels": {"app": "synse-plugin", "tier": "emulator"}},
        "subsets": [
            {"addresses": [
                {"ip": "127.0.0.1", "nodeName": "node-1", "targetRef": {"kind": "Pod", "namespace": "synse", "name": "emulator-7d9f"}},
                {"ip": "127.0.0.9", "targetRef": {"kind": "Node", "name": "node-9"}},
            ],
             "ports": [{"name": "http", "port": "PLUGIN_PORT", "protocol": "TCP"}, {"name": "metrics", "port": 2112, "protocol": "TCP"}]},
        ],
    }],
}


class FakeAPIServer(http.server.BaseHTTPRequestHandler):
    requests = []
    body = b""

    def do_GET(self):  # noqa: N802
        FakeAPIServer.requests.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != "Bearer test-token":
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(FakeAPIServer.body)))
        self.end_headers()
        self.wfile.write(FakeAPIServer.body)

    def log_message(self, *args):
        pass


def test_plugins_discovered_from_kubernetes_endpoints():
    pki = make_pki()
    credentials = Path(tempfile.mkdtemp(prefix="serviceaccount-"))
    (credentials / "token").write_text("test-token\n")
    (credentials / "ca.crt").write_text((pki / "ca-a.pem").read_text())

    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    FakeAPIServer.body = json.dumps(RECORDED).replace('"PLUGIN_PORT"', str(plugin_port)).encode()

    api_port = free_port()
    api = http.server.HTTPServer(("127.0.0.1", api_port), FakeAPIServer)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server-a.pem", pki / "server-a.key")
    api.socket = context.wrap_socket(api.socket, server_side=True)
    threading.Thread(target=api.serve_forever, daemon=True).start()

    server, base, _ = start_server({
        "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(api_port),
        "SYNSE_PLUGIN_DISCOVER_KUBERNETES_NAMESPACE": "synse",
        "SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_APP": "synse-plugin",
        "SYNSE_PLUGIN_DISCOVER_KUBERNETES_CREDENTIALS": str(credentials),
    })
    try:
        assert len(get(base, "/v3/scan")[1]) == 5
        plugins = get(base, "/v3/plugin")[1]
        assert len(plugins) == 1
        info = get(base, f"/v3/plugin/{plugins[0]['id']}")[1]
        assert info["network"] == {"address": f"127.0.0.1:{plugin_port}", "protocol": "tcp"}  # the Pod address only
        path, authorization = FakeAPIServer.requests[0]
        assert path == "/api/v1/namespaces/synse/endpoints?labelSelector=app%3Dsynse-plugin" and authorization == "Bearer test-token"
    finally:
        stop(server)
        stop(plugin)
        api.shutdown()
