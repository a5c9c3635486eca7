"""The `health` of a reading on every path that is not the live all-devices stream (issue 17;
docs/health.md "Where operators see it"): a direct read of one device, a tag-filtered read and
WebSocket read streams filtered by ID and by tag. Each carries the health its own value gives:
these paths can see a reading before the server's live stream has evaluated it, and then showed
the state the reading before left (96 °C over an UpperCritical of 95 shown `ok`).

The real emulator's scripted sensor alternates 20 and 96 every read pass (0.1 s)."""
import asyncio
import json

import aiohttp

from helpers import free_port, get, start_plugin, start_server, stop, wait_for, wait_until_serving

DEVICES = """
version: 3
devices:
  - type: temperature
    handler: scripted
    instances:
      - info: Toggle
        tags: [paths/toggle]
        data: {id: 1, values: [20, 96], end: repeat}
        thresholds:
          temperature:
            UpperCritical: {Reading: 95}
"""

EXPECTED = {20: "ok", 96: "critical"}


def wrong(readings):
    return [(reading["value"], reading["health"]) for reading in readings if EXPECTED.get(reading["value"]) != reading["health"]]


def test_every_path_shows_the_health_of_its_own_reading(tmp_path):
    devices = tmp_path / "devices.yaml"
    devices.write_text(DEVICES)
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", devices)
    wait_until_serving(plugin)
    server, base, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"})
    try:
        device = wait_for(lambda: get(base, "/v3/scan")[1][0]["id"])
        wait_for(lambda: get(base, f"/v3/read/{device}")[1][0]["health"] in ("ok", "critical"))
        direct, tagged = [], []
        for _ in range(40):
            direct += get(base, f"/v3/read/{device}")[1]
            tagged += get(base, "/v3/read?tags=paths/toggle")[1]
        assert {reading["value"] for reading in direct} == {20, 96}, direct
        assert wrong(direct) == [] and wrong(tagged) == [], (wrong(direct), wrong(tagged))

        async def streamed(selector):
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                    await ws.send_str(json.dumps({"id": 1, "event": "request/read_stream", "data": selector}))
                    readings = []
                    while len(readings) < 60:
                        message = json.loads((await asyncio.wait_for(ws.receive(), 10)).data)
                        assert message["event"] == "response/reading", message
                        readings.append(message["data"])
                    return readings

        async def both():
            return await asyncio.gather(streamed({"ids": [device]}), streamed({"tag_groups": [["paths/toggle"]]}))

        by_id, by_tag = asyncio.run(both())
        assert {reading["value"] for reading in by_id} == {20, 96}, by_id
        assert wrong(by_id) == [] and wrong(by_tag) == [], (wrong(by_id), wrong(by_tag))
    finally:
        stop(server)
        stop(plugin)
