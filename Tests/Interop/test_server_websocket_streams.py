"""WebSocket read streams seen from the plugin's side, a client that stops reading, and
message size limits."""
import asyncio
import contextlib
import base64
import json
import os
import re
import socket
import struct
import tempfile
import time
from pathlib import Path

import aiohttp

from helpers import (CLIENT_DEVICES, LED, free_port, get, run, start_plugin, start_server, stop, wait_for,
                     wait_until_serving)


def open_streams(plugin):
    """ReadStream calls the plugin has logged as opened and not yet as closed (counted from
    the lines: concurrent streams may log their open_streams figures out of order)."""
    lines = list(plugin.output)
    return sum("read stream opened" in line for line in lines) - sum("read stream closed" in line for line in lines)


@contextlib.contextmanager
def plugin_and_server():
    """The emulator with the client-integration devices and a server using it; yields the
    plugin process and the server's port, and checks the server's clean exit."""
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    server, _, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"})
    try:
        yield plugin, port
    finally:
        stop(server)
        stop(plugin)
    assert server.returncode == 0


def test_plugin_streams_end_on_stop_and_on_disconnect():
    async def scenario(plugin, port):
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                await ws.send_str(json.dumps({"id": 1, "event": "request/read_stream", "data": {"ids": [LED]}}))
                await ws.send_str(json.dumps({"id": 2, "event": "request/read_stream", "data": {"tag_groups": [["foo/bar"]]}}))
                ids = {json.loads((await asyncio.wait_for(ws.receive(), 10)).data)["id"] for _ in range(20)}
                assert ids == {1, 2}
                wait_for(lambda: open_streams(plugin) == 2)
                await ws.send_str(json.dumps({"id": 3, "event": "request/read_stream", "data": {"stop": True}}))
                wait_for(lambda: open_streams(plugin) == 0)
                assert sum("read stream closed" in line for line in plugin.output) == 2

                await ws.send_str(json.dumps({"id": 4, "event": "request/read_stream", "data": {"ids": [LED]}}))
                wait_for(lambda: open_streams(plugin) == 1)
        # The socket is closed without a stop request: the plugin's stream ends too.
        wait_for(lambda: open_streams(plugin) == 0)
        assert sum("read stream closed" in line for line in plugin.output) == 3

    with plugin_and_server() as (plugin, port):
        run(scenario(plugin, port))


def test_clients_streaming_the_same_devices_share_one_plugin_stream():
    async def readings(ws, count):
        """The ids of the next `count` messages, which must all be readings."""
        ids = []
        for _ in range(count):
            message = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
            assert message["event"] == "response/reading", message
            ids.append(message["id"])
        return ids

    async def scenario(plugin, port):
        async with aiohttp.ClientSession() as session:
            clients = [await session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") for _ in range(3)]
            for number, ws in enumerate(clients):
                await ws.send_str(json.dumps({"id": number, "event": "request/read_stream", "data": {"ids": [LED]}}))
            for number, ws in enumerate(clients):
                assert set(await readings(ws, 6)) == {number}
            wait_for(lambda: open_streams(plugin) == 1)
            assert sum("read stream opened" in line for line in plugin.output) == 1

            # One client stops: the others keep getting readings from the same plugin stream.
            await clients[0].send_str(json.dumps({"id": 9, "event": "request/read_stream", "data": {"stop": True}}))
            for number, ws in list(enumerate(clients))[1:]:
                assert set(await readings(ws, 6)) == {number}
            assert open_streams(plugin) == 1

            # Other selectors get a plugin stream of their own.
            await clients[0].send_str(json.dumps({"id": 5, "event": "request/read_stream", "data": {"tag_groups": [["foo/bar"]]}}))
            wait_for(lambda: open_streams(plugin) == 2)
            for ws in clients:
                await ws.close()
        wait_for(lambda: open_streams(plugin) == 0)
        assert sum("read stream opened" in line for line in plugin.output) == 2

    with plugin_and_server() as (plugin, port):
        run(scenario(plugin, port))

class RawWebSocket:
    """A client that controls when it reads: small receive buffer, no reading behind its back."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /v3/connect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, message):
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        header = bytes([0x81]) + (bytes([0x80 | len(payload)]) if len(payload) < 126 else bytes([0x80 | 126]) + struct.pack("!H", len(payload)))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _take(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def receive(self):
        """The next text message (continuation frames joined)."""
        message = b""
        while True:
            first, second = self._take(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._take(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._take(8))[0]
            message += self._take(length)
            if first & 0x80:
                return json.loads(message)


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])


def test_slow_consumer_loses_oldest_readings_not_memory():
    """A client that stops reading: the server drops the oldest readings of its stream (and
    logs it) instead of buffering them; once the client reads again it gets the newest ones
    and the connection still answers requests."""
    devices = Path(tempfile.mkdtemp(prefix="synse-many-")) / "devices.yaml"
    devices.write_text("version: 3\ndevices:\n  - type: temperature\n    instances:\n"
                       + "".join(f"      - info: sensor {n}\n        data: {{id: {n}}}\n" for n in range(600)))
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", devices)
    wait_until_serving(plugin)
    log = Path(tempfile.mkdtemp(prefix="synse-log-")) / "server.log"
    server, base, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"}, log=log)
    try:
        wait_for(lambda: len(get(base, "/v3/scan")[1]) == 600)
        client = RawWebSocket(port)
        client.send({"id": 1, "event": "request/read_stream", "data": {}})
        assert client.receive()["event"] == "response/reading"
        before = rss_kib(server.pid)
        # 600 devices every 100 ms: ~6,000 readings/s that the client does not read.
        dropped = wait_for(lambda: re.findall(r"dropped=(\d+)", log.read_text()), timeout=30)
        time.sleep(5)
        growth = rss_kib(server.pid) - before
        drops = [int(n) for n in re.findall(r"dropped=(\d+)", log.read_text())]
        assert "dropping oldest readings" in log.read_text() and max(drops) >= 1000, drops
        # Unbounded buffering would hold every reading not sent (tens of MiB by now).
        assert growth < 32 * 1024, f"server RSS grew by {growth} KiB while the client stalled"

        client.send({"id": 99, "event": "request/status"})
        deadline = time.time() + 30
        while (message := client.receive())["id"] != 99:
            assert message["event"] == "response/reading" and time.time() < deadline
        assert message["event"] == "response/status"
        client.sock.close()
        assert get(base, "/test")[0] == 200
    finally:
        stop(server)
        stop(plugin)
    assert server.returncode == 0


def test_large_messages_are_served_and_oversize_ones_get_an_error_event():
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    server, _, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"}, "http: {max_body_size: 200000}\n")
    try:
        async def scenario():
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                    # One 100 kB frame: well over the framework's default frame size, under our limit.
                    await ws.send_str(json.dumps({"id": 1, "event": "request/status", "data": {"pad": "x" * 100_000}}))
                    reply = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
                    assert reply["id"] == 1 and reply["event"] == "response/status"

                    await ws.send_str(json.dumps({"id": 2, "event": "request/status", "data": {"pad": "x" * 300_000}}))
                    reply = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
                    assert reply["id"] == -1 and reply["event"] == "response/error"
                    assert reply["data"]["http_code"] == 400 and "over the limit of 200000 bytes" in reply["data"]["context"]

                    await ws.send_str(json.dumps({"id": 3, "event": "request/version"}))
                    reply = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
                    assert reply["id"] == 3 and reply["event"] == "response/version"

                    # Past the frame cap (4× the limit) the socket is closed with 1009.
                    await ws.send_str("x" * 900_000)
                    closing = await asyncio.wait_for(ws.receive(), 10)
                    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED) and ws.close_code == 1009

        run(scenario())
        assert get(f"http://127.0.0.1:{port}", "/test")[0] == 200
    finally:
        stop(server)
        stop(plugin)
    assert server.returncode == 0
