"""Kubernetes endpoint discovery against a recorded Endpoints response served over HTTPS on
loopback, with a service-account token and CA like a pod's."""
import http.server
import json
import ssl
import tempfile
import threading
from pathlib import Path

from helpers import (CLIENT_DEVICES, free_port, get, make_pki, start_plugin, start_server, stop, wait_for,
                     wait_until_serving)

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


def service_account(pki):
    """A directory with a service-account token and the CA the fake API server's certificate chains to."""
    credentials = Path(tempfile.mkdtemp(prefix="serviceaccount-"))
    (credentials / "token").write_text("test-token\n")
    (credentials / "ca.crt").write_text((pki / "ca-a.pem").read_text())
    return credentials


def serve_api(pki, handler):
    """Serves `handler` over HTTPS on a free port; returns (server, port)."""
    api_port = free_port()
    api = http.server.HTTPServer(("127.0.0.1", api_port), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server-a.pem", pki / "server-a.key")
    api.socket = context.wrap_socket(api.socket, server_side=True)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    return api, api_port


def discovery_env(api_port, credentials):
    return {
        "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(api_port),
        "SYNSE_PLUGIN_DISCOVER_KUBERNETES_NAMESPACE": "synse",
        "SYNSE_PLUGIN_DISCOVER_KUBERNETES_ENDPOINTS_LABELS_APP": "synse-plugin",
        "SYNSE_PLUGIN_DISCOVER_KUBERNETES_CREDENTIALS": str(credentials),
    }


def test_plugins_discovered_from_kubernetes_endpoints():
    pki = make_pki()
    credentials = service_account(pki)

    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    FakeAPIServer.body = json.dumps(RECORDED).replace('"PLUGIN_PORT"', str(plugin_port)).encode()

    api, api_port = serve_api(pki, FakeAPIServer)
    server, base, _ = start_server(discovery_env(api_port, credentials))
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


# Beside the working plugin: a labelled Service whose pods never got ready (only
# notReadyAddresses), and one with no pod at all (no subsets), as the API server reports them.
RECORDED_WITH_IDLE = {
    "kind": "EndpointsList", "apiVersion": "v1", "metadata": {"resourceVersion": "12399"},
    "items": [
        {"metadata": {"name": "crashing", "namespace": "synse", "labels": {"app": "synse-plugin"}},
         "subsets": [{"notReadyAddresses": [{"ip": "127.0.0.3", "targetRef": {"kind": "Pod", "name": "crashing-5c6b"}}],
                      "ports": [{"name": "http", "port": 5001, "protocol": "TCP"}]}]},
        {"metadata": {"name": "no-pods", "namespace": "synse", "labels": {"app": "synse-plugin"}}},
        RECORDED["items"][0],
    ],
}


def test_endpoints_without_ready_pods_do_not_block_the_others(tmp_path):
    """The original's #475: a labelled Service with no ready endpoint kept every other
    discovered plugin unregistered. Here the working plugin registers, its devices are served,
    and states are logged once each: the API failing (3 refreshes), recovering, and each
    Endpoints without a ready address (at every 1 s refresh for several seconds)."""
    import time
    pki = make_pki()
    credentials = service_account(pki)
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    body = json.dumps(RECORDED_WITH_IDLE).replace('"PLUGIN_PORT"', str(plugin_port)).encode()

    class FlakyAPIServer(FakeAPIServer):
        failures = 3

        def do_GET(self):  # noqa: N802
            if FlakyAPIServer.failures > 0:
                FlakyAPIServer.failures -= 1
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    FakeAPIServer.body = body
    FakeAPIServer.requests = []
    api, api_port = serve_api(pki, FlakyAPIServer)
    log = tmp_path / "server.log"
    server, base, _ = start_server(discovery_env(api_port, credentials), "cache: {plugin: {refresh_every: 1}}\n", log=log)
    try:
        assert len(get(base, "/v3/scan")[1]) == 5
        plugins = get(base, "/v3/plugin")[1]
        assert [p["active"] for p in plugins] == [True]
        successful = len(FakeAPIServer.requests)
        wait_for(lambda: len(FakeAPIServer.requests) >= successful + 4, timeout=15)  # four more refreshes
        assert get(base, "/v3/plugin")[1] == plugins
    finally:
        stop(server)
        stop(plugin)
        api.shutdown()
    lines = log.read_text().splitlines()
    errors = [line for line in lines if " error " in line or " critical " in line]
    assert len(errors) == 1 and "kubernetes plugin discovery failed" in errors[0], errors
    assert sum("discovery works again" in line for line in lines) == 1
    idle = [line for line in lines if "no ready address" in line]
    assert len(idle) == 2 and any("endpoints=crashing" in line for line in idle) and any("endpoints=no-pods" in line for line in idle), idle
    assert not any("127.0.0.3" in line for line in lines)  # a not-ready pod is never dialled
