"""TLS with certificates made at test time by openssl: HTTPS for the API (driven by the
official Python client), mTLS between server and plugin, and a plugin whose certificate the
server does not trust."""
import asyncio
import os
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
from synse import client as synse_client

from helpers import CLIENT_DEVICES, SERVER, free_port, make_pki, start_plugin, stop, wait_for, wait_until_serving


def run_server(env, log):
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="synse-tls-"))
    (directory / "config.yml").write_text("logging: info\npretty_json: false\ngrpc: {timeout: 5}\n")
    output = open(log, "wb")
    process = subprocess.Popen([str(SERVER), "--config", str(directory / "config.yml"), "--host", "127.0.0.1", "--port", str(port)],
                               env=dict(os.environ, **env), cwd=directory, stdout=output, stderr=output)
    return process, port


def https_get(port, path, context):
    import urllib.request
    with urllib.request.urlopen(f"https://127.0.0.1:{port}{path}", context=context, timeout=10) as response:
        import json
        return json.loads(response.read())


def test_https_api_with_the_official_client():
    pki = make_pki()
    log = pki / "server.log"
    server, port = run_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_SSL_CERT": str(pki / "server-a.pem"),
                               "SYNSE_SSL_KEY": str(pki / "server-a.key")}, log)
    context = ssl.create_default_context(cafile=str(pki / "ca-a.pem"))
    try:
        wait_for(lambda: len(https_get(port, "/v3/scan", context)) == 29)

        async def scenario():
            session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context))
            api = synse_client.HTTPClientV3("127.0.0.1", port, session=session)
            # synse 1.0.1 always builds http:// URLs ("TODO: tls" in its code): point it at https.
            api.base = f"https://127.0.0.1:{port}"
            api.url = f"{api.base}/v3"
            try:
                assert (await api.status()).status == "ok"
                assert len(await api.scan()) == 29
                assert (await api.info("emulator-led")).alias == "emulator-led"
                statuses = await api.write_sync("emulator-led", {"action": "state", "data": "on"})
                assert statuses[0].status == "DONE"
            finally:
                await session.close()

        asyncio.new_event_loop().run_until_complete(scenario())
        # Plain HTTP on the TLS port gets no API answer.
        import urllib.request
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/test", timeout=5)
            raise AssertionError("plain HTTP answered on the HTTPS port")
        except (OSError, Exception) as error:  # noqa: B014
            assert not isinstance(error, AssertionError)
    finally:
        stop(server)
    assert server.returncode == 0


def tls_plugin(pki, ca):
    port = free_port()
    plugin, _ = start_plugin(
        f"{{type: tcp, address: '127.0.0.1:{port}', tls: {{cert: '{pki / f'server-{ca}.pem'}', key: '{pki / f'server-{ca}.key'}', "
        f"caCerts: ['{pki / 'ca-a.pem'}']}}}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    return plugin, port


def test_server_and_plugin_over_mutual_tls():
    pki = make_pki()
    plugin, plugin_port = tls_plugin(pki, "a")
    log = pki / "server.log"
    server, port = run_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem"),
                               "SYNSE_GRPC_TLS_CLIENT_CERT": str(pki / "client-a.pem"), "SYNSE_GRPC_TLS_CLIENT_KEY": str(pki / "client-a.key")}, log)
    try:
        import urllib.request
        import json

        def scan():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/scan", timeout=10) as response:
                return json.loads(response.read())

        assert len(wait_for(lambda: (d := scan()) and len(d) == 5 and d)) == 5
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/read/emulator-led", timeout=10) as response:
            assert len(json.loads(response.read())) == 2
    finally:
        stop(server)
        stop(plugin)

    # Without a client certificate the plugin (which verifies clients) refuses the server.
    plugin, plugin_port = tls_plugin(pki, "a")
    server, port = run_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem")}, log)
    try:
        wait_for(lambda: "failed to register plugin" in log.read_text())
        import urllib.request
        import json
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/plugin", timeout=10) as response:
            assert json.loads(response.read()) == []
    finally:
        stop(server)
        stop(plugin)


def test_mutual_tls_to_a_plugin_on_a_unix_socket():
    """A Unix socket has no host name: the server checks the plugin's certificate against the
    CA without a name check, and still presents its client certificate."""
    pki = make_pki()
    socket_path = pki / "plugin.sock"
    plugin, _ = start_plugin(
        f"{{type: unix, address: '{socket_path}', tls: {{cert: '{pki / 'server-a.pem'}', key: '{pki / 'server-a.key'}', "
        f"caCerts: ['{pki / 'ca-a.pem'}']}}}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    log = pki / "server.log"
    server, port = run_server({"SYNSE_PLUGIN_UNIX": str(socket_path), "SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem"),
                               "SYNSE_GRPC_TLS_CLIENT_CERT": str(pki / "client-a.pem"), "SYNSE_GRPC_TLS_CLIENT_KEY": str(pki / "client-a.key")}, log)
    try:
        import urllib.request
        import json

        def get(path):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                return json.loads(response.read())

        assert len(wait_for(lambda: (d := get("/v3/scan")) and len(d) == 5 and d)) == 5
        assert [reading["type"] for reading in get("/v3/read/emulator-led")] == ["state", "color"]
    finally:
        stop(server)
    # The same plugin refuses a server that brings no client certificate: TLS is really on.
    server, port = run_server({"SYNSE_PLUGIN_UNIX": str(socket_path), "SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem")}, log)
    try:
        wait_for(lambda: log.read_text().count("failed to register plugin") >= 1)
        import urllib.request
        import json
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/plugin", timeout=10) as response:
            assert json.loads(response.read()) == []
    finally:
        stop(server)
        stop(plugin)


def test_a_plugin_with_an_untrusted_certificate_is_refused():
    pki = make_pki()
    plugin, plugin_port = tls_plugin(pki, "b")  # signed by CA b; the server trusts CA a only
    log = pki / "server.log"
    server, port = run_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem"),
                               "SYNSE_GRPC_TLS_CLIENT_CERT": str(pki / "client-a.pem"), "SYNSE_GRPC_TLS_CLIENT_KEY": str(pki / "client-a.key")}, log)
    try:
        line = wait_for(lambda: next((l for l in log.read_text().splitlines() if "failed to register plugin" in l), None))
        assert f"127.0.0.1:{plugin_port}" in line and "certificate" in line.lower(), line
        import urllib.request
        import json
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/plugin/health", timeout=10) as response:
            health = json.loads(response.read())
        assert health["active"] == 0 and health["healthy"] == []
    finally:
        stop(server)
        stop(plugin)


def test_missing_tls_files_stop_startup_with_a_clear_error():
    result = subprocess.run([str(SERVER), "--port", str(free_port())], capture_output=True, text=True, timeout=30,
                            env=dict(os.environ, SYNSE_SSL_CERT="/nonexistent/cert.pem", SYNSE_SSL_KEY="/nonexistent/key.pem"),
                            cwd=tempfile.mkdtemp())
    assert result.returncode == 2 and "ssl.cert: no such file: /nonexistent/cert.pem" in result.stderr, result.stderr


def test_server_only_tls_to_a_plugin_with_the_official_grpc_client_and_our_server():
    """A plugin given only a certificate and key serves TLS without asking clients for
    certificates: the original's gRPC client (root CA only) and our server (grpc.tls.cert
    only) both talk to it; plaintext does not. Naming caCerts is what turns mTLS on."""
    from synse_grpc import client as grpc_client
    pki = make_pki()
    port = free_port()
    plugin, _ = start_plugin(
        f"{{type: tcp, address: '127.0.0.1:{port}', tls: {{cert: '{pki / 'server-a.pem'}', key: '{pki / 'server-a.key'}'}}}}",
        CLIENT_DEVICES)
    wait_until_serving(plugin)
    log = pki / "server.log"
    server = None
    try:
        official = grpc_client.PluginClientV3(f"localhost:{port}", "tcp", timeout=10, tls=str(pki / "ca-a.pem"))
        assert len(list(official.devices())) == 5
        server, api_port = run_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}", "SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem")}, log)
        import json
        import urllib.request

        def scan():
            with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/v3/scan", timeout=10) as response:
                return json.loads(response.read())

        assert len(wait_for(lambda: (d := scan()) and len(d) == 5 and d)) == 5
        plaintext = grpc_client.PluginClientV3(f"127.0.0.1:{port}", "tcp", timeout=5)
        try:
            list(plaintext.devices())
            raise AssertionError("a plaintext client was served by a TLS plugin")
        except Exception as error:  # noqa: BLE001 - grpc raises its own wrapped errors
            assert not isinstance(error, AssertionError)
    finally:
        if server:
            stop(server)
        stop(plugin)


def test_plugin_tls_settings_are_checked_at_startup():
    pki = make_pki()
    cases = [
        (f"cert: '{pki / 'server-a.pem'}'", "network.tls.key"),
        (f"cert: '{pki / 'server-a.pem'}', key: '{pki / 'nope.key'}'", "network.tls.key"),
        (f"cert: '{pki / 'server-a.pem'}', key: '{pki / 'server-a.key'}', caCerts: ['{pki / 'nope.pem'}']", "network.tls.caCerts"),
        (f"cert: '{pki / 'server-a.key'}', key: '{pki / 'server-a.pem'}'", "network.tls.cert"),  # swapped
        (f"cert: '{pki / 'server-a.pem'}', key: '{pki / 'server-b.key'}'", "network.tls.key"),  # another pair's key
        (f"cert: '{pki / 'san.cnf'}', key: '{pki / 'server-a.key'}'", "network.tls.cert"),  # not PEM
        (f"cert: '{pki / 'server-a.pem'}', key: '{pki / 'server-a.key'}', caCerts: ['{pki / 'ca-a.key'}']", "network.tls.caCerts"),
        ("5", "network.tls"),  # not a mapping: must not mean plaintext
        ("[a]", "network.tls"),
    ]
    for tls, key in cases:
        value = tls if tls in ("5", "[a]") else f"{{{tls}}}"
        plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{free_port()}', tls: {value}}}", CLIENT_DEVICES)
        output = plugin.communicate(timeout=30)[0].decode(errors="replace")
        assert plugin.returncode == 2 and key in output, (tls, plugin.returncode, output)


def test_server_tls_files_that_do_not_load_stop_startup_naming_the_key():
    pki = make_pki()
    cases = [
        ({"SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.key")}, "grpc.tls.cert"),
        ({"SYNSE_GRPC_TLS_CERT": str(pki)}, "grpc.tls.cert"),
        ({"SYNSE_GRPC_TLS_CERT": str(pki / "ca-a.pem"), "SYNSE_GRPC_TLS_CLIENT_CERT": str(pki / "client-a.pem"),
          "SYNSE_GRPC_TLS_CLIENT_KEY": str(pki / "client-b.key")}, "grpc.tls.client_key"),
        ({"SYNSE_SSL_CERT": str(pki / "server-a.pem"), "SYNSE_SSL_KEY": str(pki / "server-b.key")}, "ssl.key"),
        ({"SYNSE_SSL_CERT": str(pki / "san.cnf"), "SYNSE_SSL_KEY": str(pki / "server-a.key")}, "ssl.cert"),
    ]
    for env, key in cases:
        result = subprocess.run([str(SERVER), "--port", str(free_port())], capture_output=True, text=True, timeout=30,
                                env=dict(os.environ, **env), cwd=tempfile.mkdtemp())
        assert result.returncode == 2 and key in result.stderr, (env, result.returncode, result.stderr)
