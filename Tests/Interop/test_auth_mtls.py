"""mTLS client certificates as credentials (issue 22), against the real server with
certificates made by openssl at test time: a verified certificate's CN or subjectAltName
names the caller and its scopes; a certificate of another CA fails the handshake; one that no
entry names gets 401; bearer tokens keep working beside them; WebSocket upgrades alike."""
import asyncio
import hashlib
import json
import os
import ssl
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import pytest

from helpers import CLIENT_DEVICES, LED, SERVER, free_port, make_pki, openssl, start_plugin, stop, wait_for, wait_until_serving

TOKEN = "mtls-side-token-7781"


class Stack:
    pass


def client_certificate(pki, name, ca, san=None):
    """A client certificate of CA `ca` with subject CN `name` (and a DNS subjectAltName)."""
    extfile = pki / f"{name}-{ca}.cnf"
    extfile.write_text(f"subjectAltName=DNS:{san}\n" if san else "basicConstraints=CA:FALSE\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-{ca}.key", "-out", f"{name}-{ca}.csr", "-subj", f"/CN={name}", cwd=pki)
    openssl("x509", "-req", "-in", f"{name}-{ca}.csr", "-CA", f"ca-{ca}.pem", "-CAkey", f"ca-{ca}.key", "-CAcreateserial",
            "-out", f"{name}-{ca}.pem", "-days", "2", "-extfile", extfile.name, cwd=pki)
    return pki / f"{name}-{ca}.pem", pki / f"{name}-{ca}.key"


@pytest.fixture(scope="module")
def stack():
    pki = make_pki()
    s = Stack()
    s.pki = pki
    s.certs = {
        "robot": client_certificate(pki, "robot", "a", san="Robot.Rack12.example"),  # DNS names compare without case
        "viewer": client_certificate(pki, "viewer", "a"),
        "stranger": client_certificate(pki, "stranger", "a"),
        "robot-other-ca": client_certificate(pki, "robot", "b", san="robot.rack12.example"),
    }
    directory = Path(tempfile.mkdtemp(prefix="synse-mtls-"))
    (directory / "tokens.yaml").write_text(f"- {{name: side, sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}, scopes: [read]}}\n")
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    s.port = free_port()
    (directory / "config.yml").write_text(
        "logging: info\npretty_json: false\ngrpc: {timeout: 5}\n"
        f"plugin: {{tcp: ['127.0.0.1:{plugin_port}']}}\n"
        f"ssl: {{cert: {pki / 'server-a.pem'}, key: {pki / 'server-a.key'}, client_ca: {pki / 'ca-a.pem'}}}\n"
        f"auth:\n  tokens_file: {directory / 'tokens.yaml'}\n"
        "  client_certificates:\n"
        "    - {name: rack-robot, san: robot.rack12.example, scopes: [read, write]}\n"
        "    - {name: viewer, common_name: viewer, scopes: [read]}\n")
    s.log = directory / "server.log"
    server = subprocess.Popen([str(SERVER), "--config", str(directory / "config.yml"), "--host", "127.0.0.1", "--port", str(s.port)],
                              cwd=directory, stdout=open(s.log, "wb"), stderr=subprocess.STDOUT)
    s.base = f"https://127.0.0.1:{s.port}"
    wait_for(lambda: call(s, "/v3/scan", cert="viewer")[0] == 200 and call(s, "/v3/scan", cert="viewer")[1], timeout=30)
    yield s
    stop(server)
    stop(plugin)
    assert server.returncode == 0


def context(stack, cert=None):
    ctx = ssl.create_default_context(cafile=str(stack.pki / "ca-a.pem"))
    if cert:
        ctx.load_cert_chain(*map(str, stack.certs[cert]))
    return ctx


def call(stack, path, cert=None, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(stack.base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, context=context(stack, cert), timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_a_certificate_named_by_common_name_reads_but_may_not_write(stack):
    assert call(stack, "/v3/scan", cert="viewer")[0] == 200
    status, body = call(stack, f"/v3/write/wait/{LED}", cert="viewer", method="POST", body=[{"action": "state", "data": "on"}])
    assert status == 403 and "certificate:viewer" in body["context"] and "'write'" in body["context"], body
    assert any("certificate:viewer" in line and "denied" in line for line in stack.log.read_text().splitlines())


def test_a_certificate_named_by_subject_alt_name_writes(stack):
    status, body = call(stack, f"/v3/write/wait/{LED}", cert="robot", method="POST", body=[{"action": "state", "data": "on"}])
    assert status == 200 and body[0]["status"] == "DONE", body
    assert any("certificate:rack-robot" in line for line in stack.log.read_text().splitlines())


def test_a_verified_certificate_no_entry_names_gets_401(stack):
    status, body = call(stack, "/v3/scan", cert="stranger")
    assert status == 401 and "CN=stranger" in body["context"] and "auth.client_certificates" in body["context"], body
    assert any("request denied" in line and "who=unauthenticated" in line for line in stack.log.read_text().splitlines())


def test_a_certificate_of_another_ca_fails_the_handshake(stack):
    with pytest.raises((ssl.SSLError, ConnectionResetError, urllib.error.URLError)):
        call(stack, "/v3/scan", cert="robot-other-ca")
    # The server is unharmed.
    assert call(stack, "/v3/scan", cert="viewer")[0] == 200


def test_without_a_certificate_a_bearer_token_or_nothing(stack):
    assert call(stack, "/test")[0] == 200
    status, body = call(stack, "/v3/scan")
    assert status == 401 and "client certificate" in body["context"], body
    assert call(stack, "/v3/scan", token=TOKEN)[0] == 200
    # A token wins over a certificate: its scopes are the ones that count.
    status, body = call(stack, f"/v3/write/wait/{LED}", cert="robot", token=TOKEN, method="POST", body=[{"action": "state", "data": "off"}])
    assert status == 403 and "token:side" in body["context"], body


def test_websocket_with_a_client_certificate(stack):
    async def scenario(cert):
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"wss://127.0.0.1:{stack.port}/v3/connect", ssl=context(stack, cert)) as ws:
                await ws.send_json({"id": 1, "event": "request/write_sync", "data": {"device": LED, "payload": [{"action": "state", "data": "on"}]}})
                return await asyncio.wait_for(ws.receive_json(), 10)

    reply = asyncio.run(scenario("robot"))
    assert reply["event"] == "response/transaction_status", reply
    reply = asyncio.run(scenario("viewer"))
    assert reply["event"] == "response/error" and reply["data"]["http_code"] == 403, reply


@pytest.mark.parametrize("config, error", [
    ("auth: {client_certificates: [{name: a, common_name: a, scopes: [read]}]}\n", "'auth.client_certificates' needs 'ssl.client_ca'"),
    ("auth: {client_certificates: [{name: a, scopes: [read]}]}\n", "needs 'common_name'"),
    ("auth: {client_certificates: [{name: a, common_name: a, san: b, scopes: [read]}]}\n", "not both"),
    ("auth: {client_certificates: [{name: a, common_name: a, scopes: [raed]}]}\n", "unknown scope 'raed'"),
    ("ssl: {client_ca: /nonexistent.pem}\n", "'ssl.client_ca' needs 'ssl.cert'"),
])
def test_bad_client_certificate_settings_are_one_clear_startup_error(config, error):
    directory = Path(tempfile.mkdtemp(prefix="synse-mtls-bad-"))
    (directory / "config.yml").write_text(config)
    result = subprocess.run([str(SERVER), "--config", str(directory / "config.yml"), "--port", str(free_port())], cwd=directory,
                            capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2, result
    assert error in result.stderr, result.stderr
