"""synse-server and the emulator plugin as separate processes, driven by the official
Python client (synse 1.0.1) and by raw HTTP."""
import asyncio
import subprocess
import tempfile
import time

import pytest
from synse import client as synse_client
from synse import errors as synse_errors

from helpers import LED, PLUGIN, ROOT, SERVER, TEMP1, free_port, get, request, run, stop, wait_for


def test_official_python_client(stack):
    _, port = stack

    async def scenario():
        async with synse_client.HTTPClientV3("127.0.0.1", port) as api:
            assert (await api.status()).status == "ok"
            assert (await api.version()).api_version == "v3"
            devices = await api.scan()
            assert sorted(d.id for d in devices) == sorted([LED, TEMP1, "89fd576d-462c-53be-bcb6-7870e70c304a",
                                                              "b9324904-385b-581d-b790-5e53eaabfd20",
                                                              "c2f6f762-fa30-5f0a-ba6c-f52d8deb3c07"])
            assert len(await api.scan(tags="foo/bar")) == 3
            tags = await api.tags()
            assert "foo/bar" in tags and "system/type:led" in tags and not any(t.startswith("system/id:") for t in tags)
            info = await api.info("emulator-led")
            assert info.id == LED and info.alias == "emulator-led" and info.capabilities["mode"] == "rw"
            readings = await api.read()
            assert len(readings) == 6
            assert {r.type for r in readings if r.device == LED} == {"state", "color"}
            temps = [r for r in readings if r.device_type == "temperature"]
            assert all(r.unit == {"name": "celsius", "symbol": "C"} and r.context == {} for r in temps)
            assert len(await api.read(tags="foo/bar")) == 4
            assert len(await api.read(ns="foo", tags="bar")) == 4
            assert len(await api.read_device("emulator-led")) == 2
            plugins = await api.plugins()
            assert [p.id for p in plugins] == [PLUGIN] and plugins[0].active
            plugin = await api.plugin(PLUGIN)
            assert plugin.health["status"] == "OK" and plugin.version["plugin_version"] == "3.4.1"
            health = await api.plugin_health()
            assert health.status == "healthy" and health.active == 1
            written = await api.write_async(LED, {"action": "state", "data": "blink"})
            assert written[0].device == LED and written[0].timeout == "30s"
            status = await api.write_sync(LED, [{"action": "color", "data": "00ff00"}])
            assert status[0].status == "DONE" and status[0].device == LED
            bad = await api.write_sync(LED, {"action": "bad-action", "data": "x"})
            assert bad[0].status == "ERROR" and bad[0].message
            ids = await api.transactions()
            assert written[0].id in ids and status[0].id in ids
            async def transaction_done():
                return (await api.transaction(written[0].id)).status == "DONE"
            deadline = time.time() + 10
            while not await transaction_done():
                assert time.time() < deadline
                await asyncio.sleep(0.1)
            with pytest.raises(synse_errors.NotFound):
                await api.info("no-such-device")
            with pytest.raises(synse_errors.NotFound):
                await api.transaction("no-such-transaction")
            config = await api.config()
            assert config.data["pretty_json"] is False
        # The client closes its session after a streamed request, so read_cache goes last.
        async with synse_client.HTTPClientV3("127.0.0.1", port) as api:
            cached = [r async for r in api.read_cache()]
            assert len(cached) >= 6 and {r.device for r in cached} >= {LED, TEMP1}

    run(scenario())


def test_raw_http_errors(stack):
    base, _ = stack
    status, body = get(base, "/v3/read/no-such-device")
    assert status == 404 and body["description"] == "resource not found" and "no-such-device" in body["context"]
    status, body = request(base, f"/v3/write/{LED}", "POST", b"{not json")
    assert status == 400 and body["context"] == "invalid json: unable to parse POSTed body as JSON"
    status, body = request(base, f"/v3/write/{LED}", "POST", {"data": "on"})
    assert status == 400 and body["context"] == 'invalid json: key "action" is required in payload, but not found'
    status, body = request(base, f"/v3/write/{LED}", "POST", b"\xff\xfe\x00garbage")
    assert status == 400
    status, body = request(base, f"/v3/write/{LED}", "POST", b"[" + b"1," * 600_000 + b"1]")
    assert status == 413
    status, body = get(base, "/v3/scan?sort=bogus")
    assert status == 400 and body["context"] == "invalid sort key(s) provided"
    status, body = get(base, "/v3/scan?ns=a&ns=b")
    assert status == 400 and body["http_code"] == 400
    status, body = get(base, "/v3/read?plugin=nope")
    assert status == 400
    status, body = get(base, "/v3/scan?unknown=1&tags=foo/bar")
    assert status == 200 and len(body) == 3
    status, body = get(base, "/v3/plugin/nope")
    assert status == 404 and body["context"] == "plugin not found: nope"
    status, body = get(base, "/v3/plugin/")  # plugin info with an empty ID, as the original
    assert status == 404 and body["context"] == "plugin not found: ", body
    status, body = get(base, "/v3/%ff%fe/../..")
    assert status == 404
    status, _ = get(base, "/test/")
    assert status == 200
    status, body = request(base, "/test", "POST", b"")
    assert status == 405 and body["http_code"] == 405
    assert request(base, "/v3/scan", "HEAD")[0] == 405
    assert request(base, f"/v3/device/{LED}", "PUT", b"{}")[0] == 405
    status, body = get(base, "/v3/tags?ns=system")
    assert status == 200 and body == ["system/type:led", "system/type:temperature"]


def test_path_parameters_are_percent_decoded(stack):
    """docs/api-v3.md §1.2: every path parameter is URL-decoded before it is looked up; one
    that does not decode is looked up as sent, and its 404 names it."""
    base, _ = stack
    encoded = "".join(f"%{ord(c):02X}" if c in "-l" else c for c in "emulator-led")
    for path in ("/v3/read/{}", "/v3/info/{}", "/v3/device/{}", "/v3/device/{}/thresholds"):
        plain, decoded = get(base, path.format("emulator-led")), get(base, path.format(encoded))
        # Readings and info carry their own timestamps: the device they are of is compared.
        devices = lambda body: sorted({item.get("device", item.get("id")) for item in (body if isinstance(body, list) else [body])})
        assert plain[0] == decoded[0] == 200 and devices(decoded[1]) == devices(plain[1]) != [], path
    status, body = request(base, f"/v3/write/{encoded}", "POST", [{"action": "state", "data": "on"}])
    assert status == 200 and body[0]["device"] == LED
    status, body = get(base, f"/v3/transaction/{body[0]['id'].replace('-', '%2d')}")
    assert status == 200 and body["status"] in ("PENDING", "WRITING", "DONE")
    status, body = get(base, f"/v3/plugin/{PLUGIN.replace('-', '%2D')}")
    assert status == 200 and body["id"] == PLUGIN
    for raw, named in (("bad%ZZid", "bad%ZZid"), ("%ff%fe", "%ff%fe"), ("a%2Fb", "a/b")):
        status, body = get(base, f"/v3/read/{raw}")
        assert status == 404 and f"device not found: {named} " in body["context"], raw


def test_embedded_default_config():
    """The repository's config.yaml: the emulator in-process, devices on /v3/scan."""
    port = free_port()
    process = subprocess.Popen([str(SERVER), "--config", str(ROOT / "config.yaml"), "--host", "127.0.0.1", "--port", str(port)],
                               cwd=tempfile.mkdtemp(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        devices = wait_for(lambda: (r := get(base, "/v3/scan")) and r[0] == 200 and len(r[1]) == 29 and r[1])
        assert {d["plugin"] for d in devices} == {PLUGIN}
        status, plugin = get(base, f"/v3/plugin/{PLUGIN}")
        assert status == 200 and plugin["network"]["protocol"] == "embedded"
        status, readings = get(base, "/v3/read")
        assert status == 200 and len(readings) > 29
    finally:
        stop(process)
    assert process.returncode == 0
