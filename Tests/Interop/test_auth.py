"""Authentication, scopes and audit (issue 22; docs/auth.md) on a real synse-server with the
emulator plugin: static bearer tokens from a tokens file, JWTs minted by PyJWT (an independent
implementation) with keys made by `cryptography`, the official synse client with a token in its
session's headers, 401/403 Synse JSON errors with RFC 6750 challenges, 429 over a device's write
rate, and the audit lines: who wrote what and how it ended, who was refused, and no token text
anywhere in the server's output."""
import asyncio
import hashlib
import json
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp
import jwt
import pytest
import synse.client as synse_client
import synse.errors as synse_errors
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from helpers import CLIENT_DEVICES, LED, SERVER, free_port, run, start_plugin, stop, wait_for, wait_until_serving

TOKENS = {"reader": "r3ad-only-9c1f2a", "writer": "wr1te-and-read-77b0", "root": "adm1n-all-scopes-e4d2", "robot": "wr1te-only-31aa"}
SCOPES = {"reader": ["read"], "writer": ["read", "write"], "root": ["read", "write", "admin"], "robot": ["write"]}
ISSUER, AUDIENCE = "https://idp.example/", "synse-api"


def call(base, path, token=None, method="GET", body=None, headers=None):
    """(status, JSON body or text, response headers)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers=dict(headers or {}))
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, response.headers
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw), error.headers
        except ValueError:
            return error.code, raw, error.headers


def mint(key, **overrides):
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "alice", "exp": int(time.time()) + 600, "scope": "openid read write"}
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256")


class Stack:
    pass


@pytest.fixture(scope="module")
def stack():
    directory = Path(tempfile.mkdtemp(prefix="synse-auth-"))
    (directory / "tokens.yaml").write_text("".join(
        f"- name: {name}\n  sha256: {hashlib.sha256(token.encode()).hexdigest()}\n  scopes: [{', '.join(SCOPES[name])}]\n"
        for name, token in TOKENS.items()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (directory / "issuer.pem").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    port = free_port()
    (directory / "config.yml").write_text(
        "logging: debug\npretty_json: false\ngrpc: {timeout: 5}\n"
        f"plugin: {{tcp: ['127.0.0.1:{plugin_port}']}}\n"
        f"auth:\n  tokens_file: {directory / 'tokens.yaml'}\n"
        f"  jwt: {{public_key_file: {directory / 'issuer.pem'}, issuer: '{ISSUER}', audience: {AUDIENCE}}}\n"
        "writes: {rate_limit: 1, burst: 3}\n"
        "metrics: {enabled: true, auth: {token: metrics-secret-5521}}\n")
    log = directory / "server.log"
    server = subprocess.Popen([str(SERVER), "--config", str(directory / "config.yml"), "--host", "127.0.0.1", "--port", str(port)],
                              cwd=directory, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    s = Stack()
    s.base, s.port, s.key, s.directory, s.log = f"http://127.0.0.1:{port}", port, key, directory, log
    s.lines = lambda: log.read_text(errors="replace").splitlines()
    wait_for(lambda: call(s.base, "/v3/scan", TOKENS["reader"])[0] == 200 and call(s.base, "/v3/scan", TOKENS["reader"])[1], timeout=30)
    yield s
    stop(server)
    stop(plugin)
    assert server.returncode == 0


def test_test_stays_open_and_everything_else_needs_a_token(stack):
    assert call(stack.base, "/test")[0] == 200
    for path in ["/v3/scan", "/v3/read", f"/v3/read/{LED}", "/v3/plugin", "/v3/tags", "/v3/alarms", "/version", "/v3/config"]:
        status, body, headers = call(stack.base, path)
        assert status == 401, (path, body)
        assert body["http_code"] == 401 and body["description"] == "authentication required" and "Bearer" in body["context"], body
        assert headers["WWW-Authenticate"] == 'Bearer realm="synse"', headers
    status, body, headers = call(stack.base, "/v3/scan", "not-a-token")
    assert status == 401 and headers["WWW-Authenticate"] == 'Bearer realm="synse", error="invalid_token"', (body, headers)
    status, body, _ = call(stack.base, "/v3/scan", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert status == 401 and "only bearer tokens" in body["context"], body


def test_several_authorization_headers_are_refused_saying_so(stack):
    """Joined, two credentials read as one unknown token; even two copies of a valid one are
    refused, with a message that says why."""
    import http.client
    for pair in [(TOKENS["reader"], TOKENS["reader"]), (TOKENS["reader"], "not-a-token"), (TOKENS["root"], TOKENS["reader"])]:
        connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
        connection.putrequest("GET", "/v3/scan")
        for token in pair:
            connection.putheader("Authorization", f"Bearer {token}")
        connection.endheaders()
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        assert response.status == 400 and "send one Authorization header" in body["context"], body
        assert body["description"] == "invalid user input", body
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="synse", error="invalid_request"', response.headers
    # The valid token alone still works after those.
    assert call(stack.base, "/v3/scan", TOKENS["reader"])[0] == 200


def test_each_scope_opens_its_routes_and_only_those(stack):
    reader, robot, root = TOKENS["reader"], TOKENS["robot"], TOKENS["root"]
    assert call(stack.base, "/v3/scan", reader)[0] == 200
    status, body, headers = call(stack.base, f"/v3/write/{LED}", reader, "POST", {"action": "state", "data": "on"})
    assert status == 403 and body["description"] == "insufficient scope", body
    assert "token:reader lacks the 'write' scope" in body["context"], body
    assert headers["WWW-Authenticate"] == 'Bearer realm="synse", error="insufficient_scope", scope="write"'
    assert call(stack.base, "/v3/transaction", reader)[0] == 403
    assert call(stack.base, "/v3/config", reader)[0] == 403
    assert call(stack.base, "/v3/plugin?refresh=true", reader)[0] == 403
    assert call(stack.base, "/v3/plugin", reader)[0] == 200
    # Scopes are independent: a write-only robot cannot scan.
    assert call(stack.base, "/v3/scan", robot)[0] == 403
    assert call(stack.base, "/v3/transaction", robot)[0] == 200
    status, config, _ = call(stack.base, "/v3/config", root)
    assert status == 200 and config["metrics"]["auth"]["token"] == "<redacted>", config
    assert call(stack.base, "/v3/plugin?refresh=true", root)[0] == 200


def test_jwts_are_checked_for_signature_issuer_audience_and_time(stack):
    good = mint(stack.key)
    assert call(stack.base, "/v3/scan", good)[0] == 200
    status, body, _ = call(stack.base, f"/v3/write/wait/{LED}", good, "POST", {"action": "state", "data": "off"})
    assert status == 200 and body[0]["status"] == "DONE", body
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "expired": mint(stack.key, exp=int(time.time()) - 300),
        "wrong audience": mint(stack.key, aud="another-api"),
        "wrong issuer": mint(stack.key, iss="https://evil.example/"),
        "no expiry": mint(stack.key, exp=None),
        "not yet valid": mint(stack.key, nbf=int(time.time()) + 600),
        "another key": mint(other),
        "alg none": jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600, "scope": "read"}, None, algorithm="none"),
        "EC key": jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600, "scope": "read"},
                             ec.generate_private_key(ec.SECP256R1()), algorithm="ES256"),
        "tampered": good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
    }
    for name, token in refused.items():
        status, body, headers = call(stack.base, "/v3/scan", token)
        assert status == 401, (name, body)
        assert 'error="invalid_token"' in headers["WWW-Authenticate"], name
    assert "expired" in call(stack.base, "/v3/scan", refused["expired"])[1]["context"]
    assert "audience" in call(stack.base, "/v3/scan", refused["wrong audience"])[1]["context"]
    # Scopes come from the `scope` claim; names of other services' scopes are ignored.
    read_only = mint(stack.key, scope="openid read")
    assert call(stack.base, f"/v3/write/{LED}", read_only, "POST", {"action": "state", "data": "on"})[0] == 403
    assert call(stack.base, "/v3/scan", mint(stack.key, scope=["read"]))[0] == 200


def test_the_official_client_with_a_token_in_its_session(stack):
    async def scenario():
        headers = {"Authorization": f"Bearer {TOKENS['writer']}"}
        async with synse_client.HTTPClientV3("127.0.0.1", stack.port, session=aiohttp.ClientSession(headers=headers)) as api:
            devices = await api.scan()
            assert LED in {d.id for d in devices}
            transactions = await api.write_sync(LED, {"action": "state", "data": "blink"})
            assert [t.status for t in transactions] == ["DONE"]
        async with synse_client.HTTPClientV3("127.0.0.1", stack.port) as api:
            with pytest.raises(synse_errors.SynseError):
                await api.scan()
        async with synse_client.WebsocketClientV3(
                "127.0.0.1", stack.port, session=aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKENS['reader']}"})) as ws:
            assert LED in {d.id for d in await ws.scan()}
            # A request beyond the token's scopes is an error event; the connection stays open.
            with pytest.raises(synse_errors.SynseError):
                await ws.write_async(LED, {"action": "state", "data": "on"})
            assert (await ws.status()).status == "ok"
        # Without a token the upgrade itself is refused with 401.
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(f"ws://127.0.0.1:{stack.port}/v3/connect")
            assert refused.value.status == 401
            assert refused.value.headers["WWW-Authenticate"] == 'Bearer realm="synse"', refused.value.headers

    run(scenario())


def test_a_websocket_connection_outlives_its_jwt_but_not_its_scopes(stack):
    """A JWT accepted on the upgrade stops working at its exp (plus the 60 s leeway) on the
    open connection too: each later request is a 401 error event, and the connection stays;
    a stream started before can still be stopped."""
    token = mint(stack.key, exp=int(time.time()) - 56)

    async def reply(ws, id):
        while True:
            message = await ws.receive_json(timeout=10)
            if message["id"] == id:
                return message

    async def scenario():
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"}) as session:
            async with session.ws_connect(f"ws://127.0.0.1:{stack.port}/v3/connect") as ws:
                await ws.send_json({"id": 1, "event": "request/scan"})
                assert (await reply(ws, 1))["event"] == "response/device_summary"
                await ws.send_json({"id": 9, "event": "request/read_stream", "data": {"ids": [LED]}})
                assert (await reply(ws, 9))["event"] == "response/reading"
                await asyncio.sleep(4.5)
                await ws.send_json({"id": 2, "event": "request/scan"})
                refused = await reply(ws, 2)
                assert refused["event"] == "response/error" and refused["data"]["http_code"] == 401, refused
                assert "expired" in refused["data"]["context"], refused
                await ws.send_json({"id": 3, "event": "request/read_stream", "data": {"stop": True}})
                await asyncio.sleep(1.5)
                while True:  # what was sent before the stop
                    try:
                        message = await ws.receive_json(timeout=0.2)
                    except asyncio.TimeoutError:
                        break
                    assert message["id"] != 3, message  # a stop gets no reply, not a refusal
                with pytest.raises(asyncio.TimeoutError):
                    await ws.receive_json(timeout=2.5)
                assert not ws.closed
    run(scenario())


def test_websocket_scopes_are_checked_per_request(stack):
    async def scenario():
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKENS['robot']}"}) as session:
            async with session.ws_connect(f"ws://127.0.0.1:{stack.port}/v3/connect") as ws:
                await ws.send_json({"id": 1, "event": "request/scan"})
                refused = await ws.receive_json(timeout=10)
                assert refused["event"] == "response/error" and refused["data"]["http_code"] == 403, refused
                await ws.send_json({"id": 2, "event": "request/read_stream"})
                refused = await ws.receive_json(timeout=10)
                assert refused["id"] == 2 and refused["data"]["http_code"] == 403, refused
                await ws.send_json({"id": 3, "event": "request/transactions"})
                answer = await ws.receive_json(timeout=10)
                assert answer["event"] == "response/transaction_list", answer
    run(scenario())


def test_writes_over_a_devices_rate_get_429_and_are_audited(stack):
    writer = TOKENS["writer"]
    time.sleep(3.5)  # the bucket refills to its burst of 3
    statuses = [call(stack.base, f"/v3/write/{LED}", writer, "POST", {"action": "state", "data": "on"})[0] for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429], statuses
    status, body, headers = call(stack.base, f"/v3/write/{LED}", writer, "POST", {"action": "state", "data": "on"})
    assert status == 429 and body["description"] == "too many requests" and "writes.rate_limit" in body["context"], body
    assert headers["Retry-After"] in ("1", "2"), headers
    # A request of more items than the burst can never pass, and says so.
    status, body, _ = call(stack.base, f"/v3/write/{LED}", writer, "POST", [{"action": "state", "data": "on"}] * 4)
    assert status == 429 and "at once" in body["context"], body
    wait_for(lambda: any("request denied" in line and "status=429" in line for line in stack.lines()))


def test_audit_lines_name_who_wrote_what_and_how_it_ended_and_never_a_token(stack):
    time.sleep(3.5)
    status, handles, _ = call(stack.base, f"/v3/write/{LED}", TOKENS["writer"], "POST", {"action": "color", "data": "ff0000"})
    assert status == 200, handles
    transaction = handles[0]["id"]
    accepted = wait_for(lambda: [l for l in stack.lines() if "write accepted" in l and transaction in l])
    assert "who=token:writer" in accepted[0] and "action=color" in accepted[0] and "data_bytes=6" in accepted[0], accepted
    assert f"device={LED}" in accepted[0] and "address=127.0.0.1" in accepted[0], accepted
    finished = wait_for(lambda: [l for l in stack.lines() if "write finished" in l and transaction in l])
    assert "status=DONE" in finished[0] and "who=token:writer" in finished[0], finished
    # Client text cannot start a line of its own: a forged audit line stays inside the real one.
    time.sleep(1.5)
    forged = "state\n2026-01-01T00:00:00+0000 notice synse-server.audit: who=token:root [SynseServerCore] write accepted"
    assert call(stack.base, f"/v3/write/{LED}", TOKENS["writer"], "POST", {"action": forged, "data": "on"})[0] == 200
    wait_for(lambda: [l for l in stack.lines() if "2026-01-01T00:00:00" in l])
    assert not any(l.startswith("2026-01-01T00:00:00") for l in stack.lines())
    assert any('action="state\\n2026-01-01T00:00:00' in l and "who=token:writer" in l for l in stack.lines())
    # Nor can it pass for another field: text with a blank or '=' is quoted.
    time.sleep(1.5)
    assert call(stack.base, f"/v3/write/{LED}", TOKENS["writer"], "POST", {"action": "state who=token:admin", "data": "on"})[0] == 200
    line, = wait_for(lambda: [l for l in stack.lines() if "write accepted" in l and "token:admin" in l])
    assert 'action="state who=token:admin"' in line and " who=token:writer" in line, line
    assert "who=token:admin" not in line.replace('action="state who=token:admin"', ""), line
    # A write nothing of which was accepted is audited too, with why.
    assert call(stack.base, "/v3/write/no-such-device", TOKENS["writer"], "POST", {"action": "state", "data": "on"})[0] == 404
    refused, = wait_for(lambda: [l for l in stack.lines() if "write refused" in l and "no-such-device" in l])
    assert "who=token:writer" in refused and "status=404" in refused and "action=state" in refused and "items=1" in refused, refused
    call(stack.base, "/v3/config", TOKENS["reader"])
    denied = wait_for(lambda: [l for l in stack.lines() if "request denied" in l and "GET /v3/config" in l])
    assert "who=token:reader" in denied[-1] and "status=403" in denied[-1], denied
    call(stack.base, "/v3/scan", "guessed-token")
    wait_for(lambda: [l for l in stack.lines() if "request denied" in l and "status=401" in l and "who=unauthenticated" in l])
    jwts = [mint(stack.key), mint(stack.key, aud="another-api")]
    assert [call(stack.base, "/v3/scan", token)[0] for token in jwts] == [200, 401]
    wait_for(lambda: [l for l in stack.lines() if "request denied" in l and "audience" in l])
    text = stack.log.read_text(errors="replace")
    for token in jwts:
        assert token.split(".")[2] not in text and token.split(".")[1] not in text
    for name, token in TOKENS.items():
        assert token not in text, f"{name}'s token is in the server's output"
        assert hashlib.sha256(token.encode()).hexdigest() not in text, f"{name}'s token hash is in the server's output"
    assert "guessed-token" not in text and "metrics-secret-5521" not in text


def test_metrics_keep_their_own_auth(stack):
    request = urllib.request.Request(stack.base + "/metrics", headers={"Authorization": "Bearer metrics-secret-5521"})
    with urllib.request.urlopen(request, timeout=15) as response:
        assert response.status == 200
    assert call(stack.base, "/metrics", TOKENS["root"])[0] == 401


@pytest.mark.parametrize("tokens, error", [
    ("- {name: a, sha256: abc, scopes: [read]}\n", "'tokens[0].sha256' must be the token's SHA-256"),
    (f"- {{name: a, sha256: {'0' * 64}, scopes: [raed]}}\n", "unknown scope 'raed'"),
    (f"- {{name: a, sha256: {'0' * 64}, scopes: [read]}}\n- {{name: a, sha256: {'1' * 64}, scopes: [read]}}\n", "repeats the name"),
    (f"- {{name: a, sha256: {'0' * 64}, scopes: [read], token: x}}\n", "'tokens[0].token' is not a token field"),
    ("[]\n", "non-empty list of tokens"),
])
def test_a_bad_tokens_file_is_one_clear_startup_error(tokens, error):
    directory = Path(tempfile.mkdtemp(prefix="synse-auth-bad-"))
    (directory / "tokens.yaml").write_text(tokens)
    result = subprocess.run([str(SERVER), "--port", str(free_port())], cwd=directory, capture_output=True, text=True, timeout=30,
                            env={"SYNSE_AUTH_TOKENS_FILE": str(directory / "tokens.yaml"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2, result
    assert error in result.stderr and "SYNSE_AUTH_TOKENS_FILE" in result.stderr and str(directory / "tokens.yaml") in result.stderr, result.stderr
    assert "0" * 64 not in result.stderr


def test_a_jwks_token_must_name_one_of_its_keys():
    from cryptography.hazmat.primitives.asymmetric import ec as ec_keys
    from jwt.algorithms import ECAlgorithm, RSAAlgorithm
    directory = Path(tempfile.mkdtemp(prefix="synse-auth-jwks-"))
    rsa_key, ec_key = rsa.generate_private_key(public_exponent=65537, key_size=2048), ec_keys.generate_private_key(ec_keys.SECP256R1())
    keys = [dict(json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key())), kid="k1", alg="RS256"),
            dict(json.loads(ECAlgorithm.to_jwk(ec_key.public_key())), kid="k2", alg="ES256")]
    (directory / "jwks.json").write_text(json.dumps({"keys": keys}))
    port = free_port()
    server = subprocess.Popen([str(SERVER), "--port", str(port), "--host", "127.0.0.1"], cwd=directory, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin", "SYNSE_PLUGIN_EMBEDDED": "emulator",
                                                             "SYNSE_AUTH_JWT_JWKS_FILE": str(directory / "jwks.json"),
                                                             "SYNSE_AUTH_JWT_ISSUER": ISSUER, "SYNSE_AUTH_JWT_AUDIENCE": AUDIENCE})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: call(base, "/test")[0] == 200)
        claims = {"iss": ISSUER, "aud": AUDIENCE, "exp": int(time.time()) + 600, "scope": "read"}
        assert call(base, "/v3/plugin", jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k1"}))[0] == 200
        assert call(base, "/v3/plugin", jwt.encode(claims, ec_key, algorithm="ES256", headers={"kid": "k2"}))[0] == 200
        for token in [jwt.encode(claims, rsa_key, algorithm="RS256"), jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "zz"}),
                      jwt.encode(claims, rsa_key, algorithm="RS256", headers={"kid": "k2"})]:
            status, body, _ = call(base, "/v3/plugin", token)
            assert status == 401, body
        assert "'kid'" in call(base, "/v3/plugin", jwt.encode(claims, rsa_key, algorithm="RS256"))[1]["context"]
    finally:
        stop(server)


def test_a_jwt_key_without_issuer_and_audience_is_refused():
    directory = Path(tempfile.mkdtemp(prefix="synse-auth-bad-"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (directory / "k.pem").write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    (directory / "junk.pem").write_text("not a key\n")
    for env, error in [({"SYNSE_AUTH_JWT_PUBLIC_KEY_FILE": str(directory / "k.pem")}, "need 'auth.jwt.issuer' and 'auth.jwt.audience'"),
                       ({"SYNSE_AUTH_JWT_PUBLIC_KEY_FILE": str(directory / "junk.pem"), "SYNSE_AUTH_JWT_ISSUER": "i", "SYNSE_AUTH_JWT_AUDIENCE": "a"},
                        "holds no RSA or EC")]:
        result = subprocess.run([str(SERVER), "--port", str(free_port())], cwd=directory, capture_output=True, text=True, timeout=30,
                                env={**env, "PATH": "/usr/bin:/bin"})
        assert result.returncode == 2 and error in result.stderr, result.stderr
