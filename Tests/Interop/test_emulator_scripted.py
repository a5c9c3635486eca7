"""The emulator's scripted sensor (issue 17) end to end: the real emulator with the example
config plugins/emulator/config/scripted/devices.yaml behind a real synse-server, read over
HTTP across several read intervals, then a `script` write that replaces the values."""
import time

from helpers import ROOT, free_port, get, request, start_plugin, start_server, stop, wait_for, wait_until_serving

SCRIPTED = ROOT / "plugins" / "emulator" / "config" / "scripted" / "devices.yaml"
INTERVAL = 1.0  # seconds per read pass: polls every 50 ms see each value many times over


def observe(base, device, seconds):
    """The device's values polled over HTTP for `seconds`, runs of one value collapsed: one
    entry per read pass seen."""
    seen = []
    deadline = time.time() + seconds
    while time.time() < deadline:
        status, readings = get(base, f"/v3/read/{device}")
        assert status == 200 and len(readings) == 1, (status, readings)
        if not seen or seen[-1] != readings[0]["value"]:
            seen.append(readings[0]["value"])
        time.sleep(0.05)
    return seen


def assert_in_cycle_order(seen, cycle):
    """Each value seen is followed by the next of `cycle` (wrapping): none skipped or repeated."""
    assert all(value in cycle for value in seen), (seen, cycle)
    for value, following in zip(seen, seen[1:]):
        assert following == cycle[(cycle.index(value) + 1) % len(cycle)], (seen, cycle)


def test_scripted_sensor_reads_in_sequence_and_takes_a_new_script(monkeypatch):
    monkeypatch.setenv("PLUGIN_SETTINGS_READ_INTERVAL", f"{int(INTERVAL * 1000)}ms")
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", SCRIPTED)
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"})
    try:
        status, devices = get(base, "/v3/scan")
        assert status == 200 and len(devices) == 3, devices
        inlet = next(d["id"] for d in devices if d["info"] == "Scripted Inlet Temperature")
        status, info = get(base, f"/v3/info/{inlet}")
        assert status == 200 and info["capabilities"]["mode"] == "rw", info
        assert info["capabilities"]["write"]["actions"] == ["script"], info

        # Several read intervals: values in the configured order, one per pass.
        seen = observe(base, inlet, 5.5 * INTERVAL)
        assert len(seen) >= 4, seen
        assert_in_cycle_order(seen, [20, 30, 40, 50.5])
        status, readings = get(base, f"/v3/read/{inlet}")
        assert readings[0]["type"] == "temperature" and readings[0]["unit"]["symbol"] == "C", readings

        # A new script takes effect from the next pass, starting at its first value.
        status, result = request(base, f"/v3/write/wait/{inlet}", "POST", {"action": "script", "data": "[90, 95, 99]"})
        assert status == 200 and result[0]["status"] == "DONE", result
        first = wait_for(lambda: (lambda v: v in (90, 95, 99) and [v])(get(base, f"/v3/read/{inlet}")[1][0]["value"]),
                         timeout=3 * INTERVAL)
        assert first == [90], first
        seen = observe(base, inlet, 3.5 * INTERVAL)
        assert seen[0] == 90 and len(seen) >= 3, seen
        assert_in_cycle_order(seen, [90, 95, 99])

        # Bad script data ends ERROR with the reason, and the running script is kept.
        status, result = request(base, f"/v3/write/wait/{inlet}", "POST", {"action": "script", "data": "[1, hot]"})
        assert status == 200 and result[0]["status"] == "ERROR", result
        assert "script data value 1 'hot' is not a number" in result[0]["message"], result
        assert_in_cycle_order(observe(base, inlet, 2.5 * INTERVAL), [90, 95, 99])
    finally:
        stop(server)
        stop(plugin)
    assert plugin.returncode == 0
