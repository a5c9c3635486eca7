"""Sensor health end to end (issue 17; docs/health.md): the real emulator's scripted sensors,
with thresholds declared in their device config, behind a real synse-server. Each test drives
one sensor with a `script` write and watches what the server makes of it over HTTP:
`/v3/alarms`, the `health` field of readings and `synse_alarm_transitions_total`.

One plugin and one server for the module; the plugin-kill test runs last."""
import time

import pytest

from helpers import free_port, get, request, scrape, samples, start_plugin, start_server, stop, wait_for, wait_until_serving

INTERVAL = 0.1  # seconds per read pass (helpers.start_plugin's read interval)

DEVICES = """
version: 3
devices:
  - type: temperature
    handler: scripted
    instances:
      - info: Dwell
        data: {id: 1, values: [20], end: hold}
        thresholds:
          temperature:
            UpperCaution: {Reading: 80, DwellTime: PT2S}
      - info: Wobble
        data: {id: 2, values: [20], end: hold}
        thresholds:
          temperature:
            UpperCaution: {Reading: 80}
            HysteresisReading: 5
      - info: Escalation
        data: {id: 3, values: [20], end: hold}
        thresholds:
          temperature:
            UpperCaution: {Reading: 80}
            UpperCritical: {Reading: 90}
            HysteresisReading: 2
      - info: Unwatched
        data: {id: 4, values: [42], end: hold}
"""


@pytest.fixture(scope="module")
def peers(tmp_path_factory):
    devices = tmp_path_factory.mktemp("health") / "devices.yaml"
    devices.write_text(DEVICES)
    port = free_port()
    network = f"{{type: tcp, address: '127.0.0.1:{port}'}}"
    plugin, _ = start_plugin(network, devices)
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"}, "metrics: {enabled: true, readings: false}\n")
    status, scan = get(base, "/v3/scan")
    ids = {device["info"]: device["id"] for device in scan}
    state = {"plugin": plugin, "network": network, "devices": devices, "port": port}
    yield base, ids, state
    stop(server)
    if state["plugin"].poll() is None:
        stop(state["plugin"])


def script(base, device, values):
    status, result = request(base, f"/v3/write/wait/{device}", "POST", {"action": "script", "data": str(values)})
    assert status == 200 and result[0]["status"] == "DONE", result


def alarm(base, device):
    status, alarms = get(base, "/v3/alarms")
    assert status == 200, alarms
    return next((entry for entry in alarms if entry["device"] == device), None)


def transitions(base):
    status, text = scrape(base)
    assert status == 200
    parsed = samples(text)
    counts = {}
    for (name, labels), number in parsed.items():
        if name == "synse_alarm_transitions_total":
            labels = dict(labels)
            counts[(labels["event"], labels["severity"])] = number
    return counts


def delta(before, after):
    return {key: after.get(key, 0) - before.get(key, 0) for key in set(before) | set(after) if after.get(key, 0) != before.get(key, 0)}


def plugin_reads(base):
    """Read RPCs the server has made to plugins so far."""
    return sum(number for (name, labels), number in samples(scrape(base)[1]).items()
               if name == "synse_grpc_message_sent_total" and ("method", "Read") in labels)


def value_of(base, device):
    status, readings = get(base, f"/v3/read/{device}")
    return readings[0]["value"] if status == 200 and readings else None


def test_a_crossing_raises_after_the_dwell_and_not_before(peers):
    base, ids, _ = peers
    device = ids["Dwell"]
    script(base, device, [85])
    wait_for(lambda: value_of(base, device) == 85, timeout=5)
    beyond = time.monotonic()
    raised = wait_for(lambda: alarm(base, device), timeout=10)
    waited = time.monotonic() - beyond
    # DwellTime PT2S: not before it (one read pass of slack for when the poll saw the value),
    # and not much after.
    assert 2.0 - 2 * INTERVAL - 0.1 <= waited <= 2.0 + 10 * INTERVAL + 1, waited
    assert raised["severity"] == "warning" and raised["threshold"] == "UpperCaution", raised
    assert raised["threshold_reading"] == 80 and raised["value"] == 85 and raised["type"] == "temperature", raised
    script(base, device, [20])
    wait_for(lambda: alarm(base, device) is None, timeout=5)


def test_a_value_wobbling_inside_the_hysteresis_band_raises_once_and_clears_once(peers):
    base, ids, _ = peers
    device = ids["Wobble"]
    before = transitions(base)
    # Around the 80 threshold but never below 75 (80 - hysteresis 5): one alarm throughout.
    script(base, device, [85, 78, 82, 77, 81, 79, 76])
    wait_for(lambda: alarm(base, device), timeout=5)
    time.sleep(20 * INTERVAL)
    assert alarm(base, device)["severity"] == "warning"
    script(base, device, [70])
    wait_for(lambda: alarm(base, device) is None, timeout=5)
    assert delta(before, transitions(base)) == {("alarm.raised", "warning"): 1, ("alarm.cleared", "ok"): 1}


def test_escalation_caution_critical_and_recovery_step_by_step(peers):
    base, ids, _ = peers
    device = ids["Escalation"]
    before = transitions(base)
    seen = []

    def watch():
        entry = alarm(base, device)
        severity = entry["severity"] if entry else "ok"
        if not seen or seen[-1] != severity:
            seen.append(severity)
        return value_of(base, device) == 70 and entry is None

    # Each value held for five passes, so polls every 100 ms see each state.
    script(base, device, [85] * 5 + [95] * 5 + [85] * 5 + [70])
    wait_for(watch, timeout=15)
    # The state before the script ("ok") is seen only if the first poll beats the plugin's next
    # read pass (100 ms) after the write's DONE; the transition counts below cover it either way.
    assert (seen[1:] if seen[:1] == ["ok"] else seen) == ["warning", "critical", "warning", "ok"], seen
    assert delta(before, transitions(base)) == {
        ("alarm.raised", "warning"): 1, ("alarm.changed", "critical"): 1, ("alarm.changed", "warning"): 1, ("alarm.cleared", "ok"): 1}


def test_readings_carry_health_and_live_read_matches_the_plugin(peers):
    base, ids, _ = peers
    script(base, ids["Escalation"], [95])
    wait_for(lambda: (alarm(base, ids["Escalation"]) or {}).get("severity") == "critical", timeout=5)
    status, readings = get(base, "/v3/read")
    assert status == 200
    by_device = {reading["device"]: reading for reading in readings}
    assert by_device[ids["Escalation"]]["health"] == "critical"
    assert by_device[ids["Dwell"]]["health"] == "ok"
    assert by_device[ids["Unwatched"]]["health"] is None
    # Every field of the original stays, health is added last.
    assert list(by_device[ids["Unwatched"]]) == ["device", "timestamp", "type", "device_type", "device_info", "unit", "value", "context", "health"]
    # The same devices and values as a direct plugin read of each device.
    assert sorted(by_device) == sorted(ids.values())
    for device, reading in by_device.items():
        status, direct = get(base, f"/v3/read/{device}")
        assert status == 200 and len(direct) == 1
        assert direct[0]["value"] == reading["value"] and direct[0]["health"] == reading["health"], (direct, reading)
    # Served from the live stream: no plugin Read per request.
    calls = plugin_reads(base)
    for _ in range(20):
        assert get(base, "/v3/read")[0] == 200
    assert get(base, "/v3/read?tags=system/type:temperature")[0] == 200
    assert plugin_reads(base) == calls
    status, critical = get(base, "/v3/alarms?severity=critical")
    assert [entry["device"] for entry in critical] == [ids["Escalation"]], critical
    status, error = get(base, "/v3/alarms?severity=bogus")
    assert status == 400 and "severity" in error["context"], error
    script(base, ids["Escalation"], [20])
    wait_for(lambda: alarm(base, ids["Escalation"]) is None, timeout=5)


def test_zz_a_killed_plugin_makes_its_sensors_unknown_and_reads_recover(peers):
    base, ids, state = peers
    stop(state["plugin"])
    watched = [ids["Dwell"], ids["Wobble"], ids["Escalation"]]
    unknown = wait_for(lambda: (lambda alarms: alarms if sorted(a["device"] for a in alarms if a["severity"] == "unknown") == sorted(watched) else None)(
        get(base, "/v3/alarms")[1]), timeout=10)
    assert all(entry["threshold"] is None and "stream" in entry["message"] for entry in unknown), unknown
    # Back on the same address: reads answer again (from the plugin until the stream is live)
    # and the sensors become known again.
    plugin, _ = start_plugin(state["network"], state["devices"])
    state["plugin"] = plugin
    wait_until_serving(plugin)
    readings = wait_for(lambda: (lambda r: r[1] if r[0] == 200 and len(r[1]) == 4 else None)(get(base, "/v3/read")), timeout=30)
    assert sorted(reading["device"] for reading in readings) == sorted(ids.values())
    wait_for(lambda: get(base, "/v3/alarms")[1] == [], timeout=15)
