"""Slow and idle clients against the real server (issue 22): half-sent requests, trickled
heads, stalled bodies and idle keep-alive connections are closed after their timeouts while
/test keeps answering; the connection cap answers 503 and logs once; WebSocket and SSE
streams are not cut by either timeout."""
import asyncio
import json
import re
import resource
import select
import socket
import ssl
import time
from pathlib import Path

import aiohttp
import pytest

from helpers import CLIENT_DEVICES, make_pki, start_plugin, start_server, stop, wait_for, wait_until_serving

HEADER_TIMEOUT = 2
IDLE_TIMEOUT = 2
BODY_TIMEOUT = 4
HALF_SENT = 1000

# A client holds a descriptor per connection: 1,000 of them need more than a 1,024 soft limit.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft != resource.RLIM_INFINITY and soft < 4096:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))


@pytest.fixture(scope="module")
def plugin_port():
    from helpers import free_port
    port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    yield port
    stop(plugin)


def serve(plugin_port, tmp_path_factory, extra):
    log = tmp_path_factory.mktemp("slow") / "server.log"
    server, base, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"}, extra_config=extra, log=str(log))
    return server, base, port, log


@pytest.fixture(scope="module")
def server(plugin_port, tmp_path_factory):
    server, base, port, log = serve(
        plugin_port, tmp_path_factory,
        f"http: {{header_timeout: {HEADER_TIMEOUT}, body_timeout: {BODY_TIMEOUT}, idle_timeout: {IDLE_TIMEOUT}, max_connections: {HALF_SENT + 200}}}\n")
    yield base, port, log
    stop(server)
    assert server.returncode == 0


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def read_until_closed(sock, timeout):
    """Everything the server sends until it closes the connection; None if still open."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
    except (socket.timeout, TimeoutError):
        return None
    except ConnectionResetError:
        return data


def trickle(sock, chunks, wait, limit):
    """Sends `chunks` one by one, waiting `wait` s for the close after each, for at most
    `limit` s; when the server closed the connection (seconds after the start), or None."""
    started = time.monotonic()
    for chunk in chunks:
        if time.monotonic() - started > limit:
            break
        try:
            sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            return time.monotonic() - started
        if read_until_closed(sock, wait) is not None:
            return time.monotonic() - started
    return None


def start_write(port, length, first):
    """A connection that sent a write's head announcing `length` body bytes, and `first` of them."""
    sock = connect(port)
    sock.sendall(b"POST /v3/write/wait/f041883c-cf87-55d7-a978-3d3103836412 HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % length + first)
    return sock


def timed_test(port):
    started = time.monotonic()
    sock = connect(port)
    sock.sendall(b"GET /test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = read_until_closed(sock, 10)
    sock.close()
    assert answer is not None and answer.startswith(b"HTTP/1.1 200"), answer
    return time.monotonic() - started


def test_a_thousand_half_sent_requests_are_closed_after_the_header_timeout_while_test_stays_fast(server):
    _, port, _ = server
    sockets = []
    opened = time.monotonic()
    for _ in range(HALF_SENT):
        sock = connect(port)
        sock.sendall(b"GET /v3/scan HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head never ends
        sockets.append(sock)
    all_open = time.monotonic()
    # /test answers while they are all held (each on its own new connection).
    durations = [timed_test(port) for _ in range(20)]
    assert max(durations) < 1.0, durations
    # Each is answered 408 and closed, not before the timeout and not long after it.
    closed_at = {}
    pending = {sock.fileno(): sock for sock in sockets}
    answers = {}
    deadline = opened + HEADER_TIMEOUT + 10
    while pending and time.monotonic() < deadline:
        readable, _, _ = select.select(list(pending.values())[:1000], [], [], 0.5)
        for sock in readable:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            answers[sock.fileno()] = answers.get(sock.fileno(), b"") + chunk
            if not chunk:
                closed_at[sock.fileno()] = time.monotonic()
                del pending[sock.fileno()]
    for sock in sockets:
        sock.close()
    assert not pending, f"{len(pending)} half-sent requests still open {HEADER_TIMEOUT + 10} s after they were sent"
    assert min(closed_at.values()) >= opened + HEADER_TIMEOUT - 0.5, "closed before the header timeout"
    assert max(closed_at.values()) <= all_open + HEADER_TIMEOUT + 5
    assert all(answer.startswith(b"HTTP/1.1 408 Request Timeout") for answer in answers.values())


def test_a_trickled_head_is_timed_from_the_connection_not_per_byte(server):
    _, port, _ = server
    sock = connect(port)
    line = b"GET /test HTTP/1.1\r\nX-Slow: " + b"a" * 100
    closed = trickle(sock, [bytes([byte]) for byte in line], 0.1, HEADER_TIMEOUT + 5)
    sock.close()
    assert closed is not None, "a head sent a byte every 0.1 s was never cut off"
    assert HEADER_TIMEOUT - 0.5 <= closed <= HEADER_TIMEOUT + 2


def test_a_stalled_body_is_closed_after_the_header_timeout(server):
    _, port, _ = server
    body = json.dumps([{"action": "state", "data": "on"}]).encode()
    sock = start_write(port, len(body) + 50, body)
    started = time.monotonic()
    answer = read_until_closed(sock, HEADER_TIMEOUT + 5)
    sock.close()
    assert answer is not None, "a body that stopped short was held open"
    assert time.monotonic() - started >= HEADER_TIMEOUT - 0.5


def test_a_body_trickled_within_the_pause_limit_is_cut_at_the_body_timeout(server):
    """A byte every second never pauses for the header timeout; the body as a whole has
    http.body_timeout (the newcomer trial held every slot under the cap this way)."""
    _, port, _ = server
    sock = start_write(port, 1000, b"[")
    closed = trickle(sock, [b" "] * 100, 1, BODY_TIMEOUT + 5)
    sock.close()
    assert closed is not None, "a body trickled a byte a second was never cut off"
    assert BODY_TIMEOUT - 0.5 <= closed <= BODY_TIMEOUT + 2.5


def test_http_1_0_without_keep_alive_is_closed_after_its_answer(server):
    _, port, _ = server
    sock = connect(port)
    started = time.monotonic()
    sock.sendall(b"GET /test HTTP/1.0\r\n\r\n")
    answer = read_until_closed(sock, 5)
    sock.close()
    assert answer is not None and b" 200 OK" in answer, answer
    assert time.monotonic() - started < 1.5, "held open after the answer"


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(server):
    _, port, _ = server
    sock = connect(port)
    sock.sendall(b"GET /test HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.settimeout(5)
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    answered = time.monotonic()
    rest = read_until_closed(sock, IDLE_TIMEOUT + 5)
    sock.close()
    assert rest == b"", rest
    assert IDLE_TIMEOUT - 0.5 <= time.monotonic() - answered <= IDLE_TIMEOUT + 3
    # A client that keeps sending requests is served for longer than either timeout.
    sock = connect(port)
    started = time.monotonic()
    while time.monotonic() - started < HEADER_TIMEOUT + IDLE_TIMEOUT + 1:
        sock.sendall(b"GET /test HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(0.5)
    sock.close()


def test_pipelined_requests_are_all_answered_then_the_idle_timeout_closes(server):
    _, port, _ = server
    sock = connect(port)
    sock.sendall(b"GET /test HTTP/1.1\r\nHost: x\r\n\r\nGET /version HTTP/1.1\r\nHost: x\r\n\r\nGET /test HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = read_until_closed(sock, IDLE_TIMEOUT + 5)
    sock.close()
    assert answer is not None and answer.count(b"HTTP/1.1 200 OK") == 3, answer


@pytest.mark.parametrize("path, headers, status", [
    ("/test", "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n", 200),  # curl --http2
    ("/test", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", 200),
    ("/v3/connect", "Upgrade: websocket\r\n", 400),
    ("/v3/connect", "Upgrade: foo, websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n", 400),
    ("/v3/connect", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n", 400),
    ("/v3/connect", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", 400),
])
def test_an_upgrade_the_server_cannot_honour_is_answered_not_dropped(server, path, headers, status):
    """NIO closed these connections without a byte; an unsupported Upgrade is ignored (RFC 9110
    §7.8) and the request served, so /v3/connect says what a WebSocket upgrade needs."""
    _, port, _ = server
    sock = connect(port)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n{headers}Connection-Test: 1\r\n\r\n".encode())
    sock.settimeout(5)
    answer = sock.recv(65536)
    sock.close()
    assert answer.startswith(f"HTTP/1.1 {status}".encode()), answer
    if status == 400:
        assert b"Sec-WebSocket-Key" in answer, answer


def test_websocket_and_event_streams_outlive_both_timeouts(server):
    base, _, _ = server

    async def scenario():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(base + "/v3/connect") as ws, session.get(base + "/v3/events") as events:
                assert events.status == 200
                await asyncio.sleep(HEADER_TIMEOUT + IDLE_TIMEOUT + 1)
                await ws.send_json({"id": 1, "event": "request/version"})
                reply = await asyncio.wait_for(ws.receive_json(), 5)
                assert reply["event"] == "response/version", reply
                assert not events.connection.closed if events.connection else True
                assert not events.content.at_eof()

    asyncio.run(scenario())


def test_the_connection_cap_answers_503_logs_once_and_recovers(plugin_port, tmp_path_factory):
    cap = 50
    server, base, port, log = serve(plugin_port, tmp_path_factory, f"http: {{header_timeout: 3, max_connections: {cap}}}\n")
    try:
        held = [connect(port) for _ in range(cap)]
        for sock in held:
            sock.sendall(b"GET /test HTTP/1.1\r\n")
        time.sleep(0.3)
        refused = []
        for _ in range(5):
            sock = connect(port)
            answer = read_until_closed(sock, 5)
            sock.close()
            refused.append(answer)
        for answer in refused:
            assert answer is not None and answer.startswith(b"HTTP/1.1 503"), answer
            body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
            assert body["http_code"] == 503 and "http.max_connections" in body["context"], body
        # The held ones time out; then new connections are served again.
        wait_for(lambda: timed_test(port) < 1.0, timeout=10)
        for sock in held:
            sock.close()
        text = log.read_text()
        assert text.count("connection cap reached") == 1, text
        assert "below the connection cap" in text, text
        assert int(re.search(r"refused=(\d+)", text).group(1)) >= 5, text
        assert "error" not in text.lower().replace("error.type", ""), "closing slow clients logged errors"
    finally:
        stop(server)
    assert server.returncode == 0


def test_the_separate_metrics_listener_has_the_same_limits(plugin_port, tmp_path_factory):
    """`metrics.port`'s listener: a half-sent request gets 408 after the header timeout, its
    own cap of http.max_connections answers 503, and scrapes go on meanwhile."""
    from helpers import free_port
    metrics_port = free_port()
    server, base, port, log = serve(plugin_port, tmp_path_factory,
                                    f"http: {{header_timeout: 2, max_connections: 5}}\nmetrics: {{enabled: true, port: {metrics_port}}}\n")
    try:
        wait_for(lambda: b"200" in scrape_status(metrics_port))
        started = time.monotonic()
        half = [connect(metrics_port) for _ in range(5)]
        for sock in half:
            sock.sendall(b"GET /metrics HTTP/1.1\r\n")
        time.sleep(0.5)  # accepted and counted before the next one comes
        over = connect(metrics_port)
        answer = read_until_closed(over, 5)
        assert answer is not None and answer.startswith(b"HTTP/1.1 503"), answer
        for sock in half:
            answer = read_until_closed(sock, 10)
            assert answer is not None and answer.startswith(b"HTTP/1.1 408"), answer
            sock.close()
        assert time.monotonic() - started < 8
        wait_for(lambda: b"200" in scrape_status(metrics_port), timeout=10)
        # The API port's own cap was not touched by the metrics listener's connections.
        assert timed_test(port) < 2
    finally:
        stop(server)
    assert server.returncode == 0


def scrape_status(port):
    sock = connect(port)
    sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answer = read_until_closed(sock, 10) or b""
    sock.close()
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize("value", ["9223372036854775807", "0", "1000001", "-1", "abc"])
def test_a_bad_connection_cap_is_one_startup_error(value):
    """The trial's 2^63-1 overflowed while raising the open-file limit (SIGILL)."""
    from helpers import SERVER, free_port
    import subprocess
    result = subprocess.run([str(SERVER), "--port", str(free_port())], capture_output=True, text=True, timeout=30,
                            env={"SYNSE_HTTP_MAX_CONNECTIONS": value, "SYNSE_PLUGIN_EMBEDDED": "", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and "SYNSE_HTTP_MAX_CONNECTIONS" in result.stderr, result


def test_over_tls_a_half_sent_request_gets_an_encrypted_408(plugin_port, tmp_path_factory):
    pki = make_pki()
    server, base, port, log = None, None, None, None
    from helpers import SERVER, free_port
    import os
    import subprocess
    import tempfile
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="synse-slow-tls-"))
    (directory / "config.yml").write_text(
        f"logging: info\nhttp: {{header_timeout: {HEADER_TIMEOUT}}}\nssl: {{cert: {pki / 'server-a.pem'}, key: {pki / 'server-a.key'}}}\n")
    process = subprocess.Popen([str(SERVER), "--config", str(directory / "config.yml"), "--host", "127.0.0.1", "--port", str(port)],
                               env=dict(os.environ, SYNSE_PLUGIN_TCP=f"127.0.0.1:{plugin_port}"), cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        context = ssl.create_default_context(cafile=str(pki / "ca-a.pem"))
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() is None, timeout=20)
        with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost") as tls:
            tls.sendall(b"GET /test HTTP/1.1\r\nHost: x\r\n")
            tls.settimeout(HEADER_TIMEOUT + 5)
            answer = tls.recv(65536)
            assert answer.startswith(b"HTTP/1.1 408 Request Timeout"), answer
            # A malformed request over TLS is answered in TLS too.
        with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost") as tls:
            tls.sendall(b"GET /te\x00st HTTP/1.1\r\nHost: x\r\n\r\n")
            tls.settimeout(5)
            assert tls.recv(65536).startswith(b"HTTP/1.1 400"), "the parser's 400 was not sent through TLS"
        # A client that connects and never starts the handshake is closed too.
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        assert read_until_closed(raw, HEADER_TIMEOUT + 5) is not None, "a connection without a TLS handshake was held"
        raw.close()
    finally:
        stop(process)
