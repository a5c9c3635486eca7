"""A plugin dies while the server runs: the server stays up, reports it inactive, fails only
that plugin's devices, and reconnects by itself when the plugin comes back."""
import json
import os
import time

from helpers import (CLIENT_DEVICES, PLUGIN, SERVER, free_port, get, start_plugin, start_server, stop, wait_for,
                     wait_until_serving)


def test_plugin_killed_and_restarted(tmp_path):
    plugin_port = free_port()
    network = f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}"
    # A second emulator with its own plugin ID (id.useCustom), so its devices differ from the embedded one's.
    extra = "id: {useCustom: [external]}\n"
    plugin, _ = start_plugin(network, CLIENT_DEVICES, extra)
    wait_until_serving(plugin)
    log = tmp_path / "server.log"
    server, base, _ = start_server(
        {"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_PLUGIN_EMBEDDED": "emulator"},
        "cache: {device: {rebuild_every: 2}}\n", log=log)
    try:
        devices = wait_for(lambda: (r := get(base, "/v3/scan")) and len(r[1]) == 34 and r[1])
        external = next(d for d in devices if d["plugin"] != PLUGIN and d["type"] == "led")
        embedded_led = next(d["id"] for d in devices if d["plugin"] == PLUGIN and d["type"] == "led")

        plugin.kill()
        plugin.wait()
        started = time.time()
        # Reads of the dead plugin's device fail with the spec's 500; the embedded plugin keeps working.
        status, body = get(base, f"/v3/read/{external['id']}")
        assert status == 500 and body["context"] == "error while issuing gRPC request: read device"
        assert get(base, f"/v3/read/{embedded_led}")[0] == 200
        # docs/api-v3.md §5.17: a plugin that cannot be reached is in neither list, only counted inactive.
        health = wait_for(lambda: (h := get(base, "/v3/plugin/health")[1]) and h["inactive"] == 1 and h)
        assert health["status"] == "unhealthy" and health["healthy"] == [PLUGIN] and health["unhealthy"] == []
        status, readings = wait_for(lambda: (r := get(base, "/v3/read")) and r[0] == 200 and r)
        assert readings and {r["device"] for r in readings} <= {d["id"] for d in devices if d["plugin"] == PLUGIN}
        assert get(base, "/test")[0] == 200
        # Down long enough for backoffs to grow (the transport's own reached ~2.5 s by then).
        time.sleep(max(0.0, started + 4 - time.time()))

        plugin, _ = start_plugin(network, CLIENT_DEVICES, extra)
        wait_until_serving(plugin)
        back = time.time()
        # Issue 15 item 8: /v3/read has the plugin's readings again within 1 s of it serving
        # (it took 3.0 s, the original 10.2 s). Functional bound, not a benchmark: the server
        # tries a plugin it expects back every 250 ms over a fresh connection (a few ms each),
        # and this loop polls every 20 ms, so ~0.3 s is expected and 0.7 s is left for a slow
        # machine. Anything near the old backoffs (seconds) fails.
        while not ((r := get(base, "/v3/read"))[0] == 200 and any(x["device"] == external["id"] for x in r[1])):
            assert time.time() - back < 1.0, "plugin readings not back within 1 s of it serving"
            time.sleep(0.02)
        reconnected = time.time() - back
        assert get(base, f"/v3/read/{external['id']}")[0] == 200
        health = wait_for(lambda: (h := get(base, "/v3/plugin/health")[1]) and h["status"] == "healthy" and h)
        assert health["active"] == 2
        print(f"\nplugin down {back - started:.1f}s; /v3/read had its readings {reconnected:.2f}s after it served")
        assert server.poll() is None
    finally:
        stop(server)
        stop(plugin)
    # Four seconds of reconnect attempts (16 of them) make one line when it goes and one when it is back.
    lines = [line for line in log.read_text().splitlines() if f"127.0.0.1:{plugin_port}" in line]
    assert sum("became inactive" in line for line in lines) == 1, lines
    assert sum("reconnected" in line for line in lines) == 1, lines
    assert not any("failed to register" in line for line in lines), lines


def test_plugin_started_after_the_server_is_picked_up():
    plugin_port = free_port()
    port = free_port()
    import subprocess, tempfile
    from pathlib import Path
    config = Path(tempfile.mkdtemp()) / "config.yml"
    config.write_text(f"pretty_json: false\nplugin: {{tcp: ['127.0.0.1:{plugin_port}']}}\n")
    server = subprocess.Popen([str(SERVER), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    plugin = None
    try:
        wait_for(lambda: get(base, "/test")[0] == 200)
        assert get(base, "/v3/scan")[1] == []
        plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
        wait_until_serving(plugin)
        started = time.time()
        wait_for(lambda: len(get(base, "/v3/scan")[1]) == 5, timeout=30)
        print(f"\nplugin picked up {time.time() - started:.1f}s after it started")
    finally:
        stop(server)
        if plugin:
            stop(plugin)


def test_malformed_requests_get_400_not_a_hang():
    """Requests the HTTP parser rejects are answered with a Synse JSON error and closed (the
    WebSocket-upgrade pipeline of hummingbird-websocket alone would leave them hanging): 400,
    or 431 for header fields over 80 KiB, one field or several."""
    import socket
    server, base, port = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator"})
    big = b"x" * (100 * 1024)
    many = b"".join(b"X-Filler-%d: %s\r\n" % (i, b"y" * 1000) for i in range(100))
    try:
        for payload, status in [(b"GET /test HTTP/1.1\r\nHost: x\r\nX-Probe: a\x00b\r\n\r\n", 400), (b"BLAH\r\n\r\n", 400),
                                (b"GET /test HTTP/1.1\r\nContent-Length: nope\r\n\r\n", 400),
                                (b"GET /test HTTP/1.1\r\nHost: x\r\nX-Big: " + big + b"\r\n\r\n", 431),
                                (b"GET /test HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n", 431)]:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                try:
                    connection.sendall(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # answered and closed before the whole request was sent
                answer = b""
                while chunk := connection.recv(65536):
                    answer += chunk  # until the server closes
            head, _, body = answer.partition(b"\r\n\r\n")
            reason = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}[status]
            assert head.startswith(b"HTTP/1.1 %d %s" % (status, reason)), (payload[:80], answer)
            assert b"content-type: application/json" in head.lower()
            error = json.loads(body)
            assert error["http_code"] == status and error["description"] == reason.decode()
            assert "the connection is closed" in error["context"] and error["timestamp"]
        assert get(base, "/test")[0] == 200
    finally:
        stop(server)
    assert server.returncode == 0
