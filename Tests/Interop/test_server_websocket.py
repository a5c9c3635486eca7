"""The WebSocket API (/v3/connect) driven by the official Python client and raw frames."""
import asyncio
import json

import aiohttp
import pytest
from synse import client as synse_client
from synse import errors as synse_errors

from helpers import (CLIENT_DEVICES, LED, PLUGIN, free_port, get, run, start_plugin, start_server, stop, wait_for,
                     wait_until_serving)


def test_official_websocket_client(stack):  # noqa: F811
    _, port = stack

    async def scenario():
        async with synse_client.WebsocketClientV3("127.0.0.1", port) as ws:
            assert (await ws.status()).status == "ok"
            assert (await ws.version()).api_version == "v3"
            assert (await ws.config()).data["pretty_json"] is False
            assert [p.id for p in await ws.plugins()] == [PLUGIN]
            assert (await ws.plugin(PLUGIN)).health["status"] == "OK"
            assert (await ws.plugin_health()).status == "healthy"
            assert len(await ws.scan()) == 5
            assert len(await ws.scan(tags=["foo/bar"])) == 3
            assert "foo/bar" in await ws.tags()
            assert (await ws.info("emulator-led")).id == LED
            assert len(await ws.read()) == 6
            assert len(await ws.read(tags=["foo/bar"])) == 4
            assert len(await ws.read_device(LED)) == 2
            cached = [r async for r in ws.read_cache()]
            assert len(cached) >= 6
            handles = await ws.write_async(LED, {"action": "state", "data": "on"})
            assert handles[0].device == LED
            statuses = await ws.write_sync(LED, [{"action": "color", "data": "0000ff"}])
            assert statuses[0].status == "DONE"
            assert handles[0].id in await ws.transactions()
            assert (await ws.transaction(statuses[0].id)).status == "DONE"
            with pytest.raises(synse_errors.NotFound):
                await ws.info("no-such-device")

    run(scenario())


def test_raw_websocket_errors_keep_the_connection_open(stack):  # noqa: F811
    _, port = stack

    async def scenario():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                async def exchange(payload):
                    await ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))
                    return json.loads((await ws.receive()).data)

                reply = await exchange("{not json")
                assert reply["id"] == -1 and reply["event"] == "response/error" and reply["data"]["http_code"] == 500
                reply = await exchange({"event": "request/status"})
                assert reply["id"] == -1 and "id" in reply["data"]["context"]
                reply = await exchange({"id": 3})
                assert reply["id"] == -1 and "event" in reply["data"]["context"]
                reply = await exchange({"id": 4, "event": "request/nope"})
                assert reply["data"]["description"] == "unsupported event type: request/nope"
                reply = await exchange({"id": 0, "event": "request/plugin"})
                assert reply["id"] == -1 and reply["data"]["context"] == 'required data "plugin" not specified'
                reply = await exchange({"id": "abc", "event": "request/write_sync", "data": {"device": LED}})
                assert reply["id"] == "abc" and reply["data"]["context"] == 'required data "payload" not specified'
                reply = await exchange({"id": 0, "event": "request/status"})
                assert reply == {"id": 0, "event": "response/status", "data": reply["data"]} and reply["data"]["status"] == "ok"
                reply = await exchange({"id": 9, "event": "request/read_device", "data": {"device": "nope"}})
                assert reply["event"] == "response/error" and reply["data"]["http_code"] == 404

    run(scenario())


async def exchange(ws, payload):
    """Sends one request and returns the next message, parsed."""
    await ws.send_str(json.dumps(payload))
    return json.loads((await ws.receive(timeout=10)).data)


def test_every_error_reply_to_a_falsy_id_carries_id_minus_one(stack):  # noqa: F811
    """docs/api-v3.md §7.2: an error answers a falsy request id (0, "", false, null) with id -1,
    whatever produced the error: an unknown event as much as a handler's error. Success
    replies keep the id as sent."""
    _, port = stack

    async def scenario():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                for falsy in [0, "", False, None, 0.0]:
                    reply = await exchange(ws, {"id": falsy, "event": "request/foo"})
                    assert reply["id"] == -1 and reply["event"] == "response/error", (falsy, reply)
                    assert reply["data"]["description"] == "unsupported event type: request/foo"
                    reply = await exchange(ws, {"id": falsy, "event": "request/info"})
                    assert reply["id"] == -1 and reply["event"] == "response/error", (falsy, reply)
                for truthy in [7, "x", True, -1]:
                    reply = await exchange(ws, {"id": truthy, "event": "request/foo"})
                    assert reply["id"] == truthy and type(reply["id"]) is type(truthy) and reply["event"] == "response/error"
                reply = await exchange(ws, {"id": "", "event": "request/status"})
                assert reply["id"] == "" and reply["event"] == "response/status"

    run(scenario())


def test_selectors_of_the_wrong_type_are_refused_not_read_as_everything(stack):  # noqa: F811
    """`ids`, `tags`, `tag_groups` and `ns` of the wrong JSON type get a 400 error event with
    the request id (a stream included, which would otherwise follow every device), and the
    connection keeps serving."""
    _, port = stack

    async def scenario():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                bad = [
                    ("request/read_stream", {"ids": 5}, "ids"), ("request/read_stream", {"tag_groups": [[5]]}, "tag_groups"),
                    ("request/read_stream", {"tag_groups": {"a": "b"}}, "tag_groups"), ("request/read_stream", {"ids": ["a", 1]}, "ids"),
                    ("request/scan", {"tags": 5}, "tags"), ("request/read", {"tags": [["a", None]]}, "tags"),
                    ("request/tags", {"ns": {"x": 1}}, "ns"),
                ]
                for number, (event, data, key) in enumerate(bad, start=1):
                    reply = await exchange(ws, {"id": number, "event": event, "data": data})
                    assert reply["id"] == number and reply["event"] == "response/error", (event, data, reply)
                    assert reply["data"]["http_code"] == 400 and key in reply["data"]["context"], reply
                reply = await exchange(ws, {"id": 99, "event": "request/scan", "data": {"tags": "system/type:led"}})
                assert reply["event"] == "response/device_summary" and reply["data"], reply
                await ws.send_str(json.dumps({"id": 100, "event": "request/read_stream", "data": {"ids": [LED]}}))
                reading = json.loads((await ws.receive(timeout=10)).data)
                assert reading["id"] == 100 and reading["event"] == "response/reading" and reading["data"]["device"] == LED
                await ws.send_str(json.dumps({"id": 101, "event": "request/read_stream", "data": {"stop": True}}))

    run(scenario())


def test_plain_get_on_the_websocket_path_is_a_400(stack):  # noqa: F811
    """docs/api-v3.md §1.3: a GET on /v3/connect without an upgrade is a 400 (as a Synse error body)."""
    import urllib.error
    import urllib.request
    _, port = stack
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/connect", timeout=10)
        raise AssertionError("a plain GET on /v3/connect was answered with success")
    except urllib.error.HTTPError as error:
        body = json.loads(error.read())
        assert error.code == 400 and body["http_code"] == 400 and "WebSocket" in body["context"], body


def test_read_stream_runs_beside_requests_and_stops(stack):  # noqa: F811
    _, port = stack

    async def scenario():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                async def receive():
                    return json.loads((await asyncio.wait_for(ws.receive(), 10)).data)

                await ws.send_str(json.dumps({"id": 24, "event": "request/read_stream", "data": {"ids": [LED]}}))
                first = [await receive() for _ in range(4)]
                assert all(m["id"] == 24 and m["event"] == "response/reading" and m["data"]["device"] == LED for m in first)
                await ws.send_str(json.dumps({"id": 25, "event": "request/status"}))
                while (message := await receive())["id"] != 25:
                    assert message["id"] == 24
                assert message["event"] == "response/status"
                await ws.send_str(json.dumps({"id": 26, "event": "request/read_stream", "data": {"stop": True}}))
                await asyncio.sleep(0.5)
                while True:  # drain what was in flight
                    try:
                        await asyncio.wait_for(ws.receive(), 0.3)
                    except asyncio.TimeoutError:
                        break
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(ws.receive(), 1.5)
                await ws.send_str(json.dumps({"id": 27, "event": "request/version"}))
                assert (await receive())["id"] == 27

    run(scenario())


def test_official_client_read_stream(stack):  # noqa: F811
    _, port = stack

    async def scenario():
        async with synse_client.WebsocketClientV3("127.0.0.1", port) as ws:
            readings = []
            async for reading in ws.read_stream(ids=[LED]):
                readings.append(reading)
                if len(readings) == 3:
                    break
            # synse 1.0.1 wraps the whole envelope in its Reading model for streams, so the
            # reading itself is under _data["data"] (the same happens against the original).
            assert {r._data["data"]["device"] for r in readings} == {LED}
            assert {r._data["event"] for r in readings} == {"response/reading"}

    run(scenario())


def test_more_bad_input(stack):  # noqa: F811
    _, port = stack

    async def scenario():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect", max_msg_size=0) as ws:
                await ws.send_str("[1, 2]")
                reply = json.loads((await ws.receive()).data)
                assert reply["id"] == -1 and reply["event"] == "response/error"
                await ws.send_bytes(json.dumps({"id": 5, "event": "request/status"}).encode())
                reply = json.loads((await ws.receive()).data)
                assert reply["id"] == 5 and reply["event"] == "response/status"
                await ws.send_str(json.dumps({"id": 6, "event": "request/info", "data": {"device": 42}}))
                reply = json.loads((await ws.receive()).data)
                assert reply["id"] == 6 and reply["data"]["http_code"] == 404
                await ws.send_str(json.dumps({"id": 7, "event": "request/write_async", "data": {"device": LED, "payload": 5}}))
                reply = json.loads((await ws.receive()).data)
                assert reply["id"] == 7 and reply["data"]["http_code"] == 400
                await ws.send_str(json.dumps({"id": 8, "event": "request/scan", "data": None}))
                reply = json.loads((await ws.receive()).data)
                assert reply["id"] == 8 and reply["event"] == "response/device_summary"

    run(scenario())


def test_read_stream_from_two_plugins_and_disconnect():
    """One stream fed by an external plugin and the embedded one; closing the socket ends it."""

    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES, "id: {useCustom: [external]}\n")
    wait_until_serving(plugin)
    server, base, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_PLUGIN_EMBEDDED": "emulator"})
    try:
        devices = wait_for(lambda: (r := get(base, "/v3/scan?tags=system/type:led")) and len(r[1]) == 3 and r[1])
        by_plugin = {d["plugin"] for d in devices}
        assert len(by_plugin) == 2

        async def scenario():
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                    await ws.send_str(json.dumps({"id": 1, "event": "request/read_stream", "data": {"tag_groups": [["system/type:led"]]}}))
                    seen = set()
                    deadline = asyncio.get_event_loop().time() + 10
                    while {d["id"] for d in devices} - seen and asyncio.get_event_loop().time() < deadline:
                        message = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
                        assert message["id"] == 1 and message["data"]["device_type"] == "led"
                        seen.add(message["data"]["device"])
                    assert seen == {d["id"] for d in devices}
            # After the socket closed the server keeps answering (its streams were cancelled).
            assert get(base, "/test")[0] == 200

        run(scenario())
    finally:
        stop(server)
        stop(plugin)
    assert server.returncode == 0
