"""Sensor health in /metrics (issue 17): synse_device_health, synse_device_threshold and
synse_alarm_transitions_total with exact values, from the real emulator's scripted sensors
behind a real synse-server; and the example alert rules and dashboard queries on them, checked
by promtool (rule unit tests: an alert fires after its `for`, not before)."""
import json
import subprocess
import tempfile
from pathlib import Path

from helpers import (ROOT, free_port, get, request, samples, scrape, start_plugin, start_server, stop, wait_for,
                     wait_until_serving)

# One reading per pass of 100 ms (start_plugin). The inlet holds 20 until a `script` write
# drives it; the meter has two voltage readings of one type, told apart by context, leg 1 with
# the hardware's own alarm flag (synse.alarm: a state, never a label); the energy counter's
# thresholds are written in kWh and exported in joules.
DEVICES = """\
version: 3
devices:
  - type: temperature
    handler: scripted
    thresholds:
      temperature:
        UpperCaution: {Reading: 80}
        UpperCritical: {Reading: 95}
        LowerCaution: {Reading: 5}
    instances:
      - info: Health Inlet
        data: {id: 1, values: [20], end: hold}
      - info: Health Outlet
        data: {id: 2, values: [25], end: hold}
  - type: temperature
    handler: scripted
    instances:
      - info: Unwatched Probe
        data: {id: 3, values: [30], end: hold}
  - type: power
    handler: meter
    instances:
      - info: Health Meter
        data:
          id: 4
          readings:
            - {output: voltage, value: 120.5, context: {leg: "1", synse.alarm: caution}}
            - {output: voltage, value: 119.25, context: {leg: "2"}}
        thresholds:
          "voltage[leg=1]": {UpperCritical: {Reading: 130}}
          "voltage[leg=2]": {UpperCritical: {Reading: 110}}
  - type: energy
    handler: scripted
    instances:
      - info: Health Energy
        data: {id: 5, output: kilowatt-hour, values: [1.5], end: hold}
        thresholds:
          energy: {UpperCaution: {Reading: 2}, UpperCritical: {Reading: 2.5}}
"""

TRANSITIONS = "synse_alarm_transitions_total"


def matching(parsed, name, **labels):
    """[(labels dict, value)] of the samples of `name` whose labels include `labels`."""
    return [(dict(found), v) for (metric, found), v in parsed.items()
            if metric == name and all(dict(found).get(k) == want for k, want in labels.items())]


def one(parsed, name, **labels):
    found = matching(parsed, name, **labels)
    assert len(found) == 1, (name, labels, found)
    return found[0]


def transitions(parsed):
    """{(event, severity): count} of the transitions counter."""
    return {(labels["event"], labels["severity"]): v for labels, v in matching(parsed, TRANSITIONS)}


def settled(base, ready, **expected):
    """The scrape once `ready(parsed)` holds and the transitions counter reads `expected` (every
    other pair 0; `raised_warning=1` is ('alarm.raised', 'warning')). The counter is incremented
    just after the state changes, so one scrape may see the new gauge and the old count; a count
    that goes past `expected` never settles and fails, naming the last counts seen."""
    wanted = {("alarm." + key.split("_")[0], key.split("_")[1]): v for key, v in expected.items()}
    last = {}

    def check():
        nonlocal last
        parsed = samples(scrape(base)[1])
        last = transitions(parsed)
        return ready(parsed) and last == {**{pair: 0 for pair in last}, **wanted} and parsed
    try:
        return wait_for(check, timeout=10)
    except AssertionError:
        raise AssertionError(f"transitions {last}, expected {wanted} and the rest 0") from None


def test_health_metrics_exact_from_scripted_sensors(tmp_path, monkeypatch):
    devices = tmp_path / "devices.yaml"
    devices.write_text(DEVICES)
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", devices)
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_METRICS_ENABLED": "true"})
    try:
        ids = {d["info"]: d["id"] for d in get(base, "/v3/scan")[1]}
        inlet, outlet, meter, energy = (ids[f"Health {name}"] for name in ("Inlet", "Outlet", "Meter", "Energy"))

        # Every watched sensor evaluated once: five, the unwatched probe left out; the meter's legs
        # announced at their first reading.
        parsed = settled(base, lambda p: len(matching(p, "synse_device_health")) == 5, raised_critical=1, raised_warning=1)
        labels, health = one(parsed, "synse_device_health", id=inlet)
        assert health == 0 and labels == {"id": inlet, "info": "Health Inlet", "device_type": "temperature",
                                           "plugin": labels["plugin"], "tags": "", "type": "temperature"}, labels
        assert one(parsed, "synse_device_health", id=outlet)[1] == 0
        assert not matching(parsed, "synse_device_health", id=ids["Unwatched Probe"])
        # Two readings of one type on one device: the context label tells them apart.
        assert one(parsed, "synse_device_health", id=meter, context_leg="1")[1] == 1  # the plugin's caution flag
        assert one(parsed, "synse_device_health", id=meter, context_leg="2")[1] == 2  # 119.25 ≥ 110
        series = [labels for name in ("synse_device_health", "synse_device_threshold", "synse_device_voltage_volts")
                  for labels, _ in matching(parsed, name, id=meter)]
        assert len(series) == 6 and all("context_leg" in labels and "context_synse_alarm" not in labels for labels in series), series
        assert one(parsed, "synse_device_health", id=energy)[1] == 0

        # Thresholds per kind, in the base unit, with the sensor's own labels.
        limits = {labels["threshold"]: (labels, v) for labels, v in matching(parsed, "synse_device_threshold", id=inlet)}
        assert {kind: v for kind, (_, v) in limits.items()} == {"UpperCaution": 80, "UpperCritical": 95, "LowerCaution": 5}
        assert limits["UpperCritical"][0]["unit"] == "celsius"
        assert {l["threshold"]: v for l, v in matching(parsed, "synse_device_threshold", id=energy)} == \
            {"UpperCaution": 7_200_000, "UpperCritical": 9_000_000}  # kWh → J
        assert one(parsed, "synse_device_threshold", id=meter, context_leg="2", threshold="UpperCritical")[1] == 110

        # Drive the inlet: 85 (warning), then 96 held (critical); one announcement each.
        status, result = request(base, f"/v3/write/wait/{inlet}", "POST", {"action": "script", "data": "[85, 96]"})
        assert status == 200 and result[0]["status"] == "DONE", result
        parsed = settled(base, lambda p: one(p, "synse_device_health", id=inlet)[1] == 2,
                         raised_critical=1, raised_warning=2, changed_critical=1)
        assert one(parsed, "synse_device_health", id=outlet)[1] == 0

        # Back to 20: one clear (no hysteresis: critical and caution clear on one reading).
        request(base, f"/v3/write/wait/{inlet}", "POST", {"action": "script", "data": "[20]"})
        settled(base, lambda p: one(p, "synse_device_health", id=inlet)[1] == 0,
                raised_critical=1, raised_warning=2, changed_critical=1, cleared_ok=1)

        # promtool's lint finds nothing in the health families (only the spec's own latency names,
        # docs/api-v3.md §10, which test_metrics.py pins).
        lint = subprocess.run(["promtool", "check", "metrics"], input=scrape(base)[1], capture_output=True, text=True)
        findings = [line for line in (lint.stdout + lint.stderr).splitlines() if line.strip()]
        assert findings and all("_latency_sec metric names should not contain abbreviated units" in f for f in findings), findings

        # The plugin gone: every sensor unknown (-1); three were ok (raised), the legs not (changed).
        stop(plugin)
        parsed = settled(base, lambda p: all(v == -1 for _, v in matching(p, "synse_device_health")),
                         raised_critical=1, raised_warning=2, changed_critical=1, cleared_ok=1, raised_unknown=3, changed_unknown=2)
        assert len(matching(parsed, "synse_device_health")) == 5
    finally:
        stop(server)
        if plugin.poll() is None:
            stop(plugin)


def test_health_families_present_before_any_sensor():
    """HELP and TYPE from the first scrape, the transitions counter's pairs at 0, so absent()
    and increase() work before the first alarm."""
    server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_METRICS_ENABLED": "true"})
    try:
        text = scrape(base)[1]
        for name, help_start in (("synse_device_health", "Health of each evaluated sensor reading"),
                                 ("synse_device_threshold", "Thresholds in force"),
                                 (TRANSITIONS, "Announced sensor health changes")):
            assert f"# TYPE {name} {'counter' if name == TRANSITIONS else 'gauge'}" in text, name
            assert f"# HELP {name} {help_start}" in text, name
        counts = transitions(samples(text))
        assert counts == {(event, severity): 0 for event in ("alarm.raised", "alarm.changed")
                          for severity in ("warning", "critical", "fatal", "unknown")} | {("alarm.cleared", "ok"): 0}
    finally:
        stop(server)


def test_no_health_families_with_evaluation_off():
    """health.enabled false: no evaluation, so no health gauges at all (not even HELP lines)."""
    server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_METRICS_ENABLED": "true",
                                    "SYNSE_HEALTH_ENABLED": "false"})
    try:
        text = scrape(base)[1]
        assert "synse_device_health" not in text and "synse_device_threshold" not in text
    finally:
        stop(server)



SERVER = {"instance": "s:5000", "job": "synse"}
HOT = {"id": "hot", "type": "temperature", "info": "Inlet", **SERVER}
GONE = {"id": "gone", "type": "voltage", "info": "Rail", **SERVER}
# Input series every 30 s (promtool's expanding notation: 'a x n' is n + 1 samples).
SERIES = [
    ("synse_device_health", HOT, "0 2 2 2 2 3 3 3 3"),  # critical from 30 s, fatal from 2 m 30 s
    ("synse_device_health", GONE, "0 -1x12"),  # unknown from 30 s
    (TRANSITIONS, {"event": "alarm.raised", "severity": "warning", **SERVER}, "0+2x70"),  # 4 a minute
    # webhook "a": refuses one event at 3 m; webhook "b": retrying from 1 m, delivering nothing
    ("synse_webhook_failures_total", {"destination": "a", **SERVER}, "0x5 1x20"),
    ("synse_webhook_dropped_total", {"destination": "a", **SERVER}, "0x25"),
    ("synse_webhook_retries_total", {"destination": "b", **SERVER}, "0 0 0+1x30"),
    ("synse_webhook_deliveries_total", {"destination": "b", **SERVER}, "0x30"),
]
# (alert, still pending at, firing at, alert labels, annotations): each fires once its `for`
# has passed and not before.
ALERTS = [
    ("SynseSensorCritical", "1m", "2m", {**HOT, "severity": "critical"},
     {"summary": "Inlet (hot) temperature has been critical or worse for a minute",
      "description": "GET /v3/alarms on the server names the threshold crossed and the value."}),
    ("SynseSensorFatal", "3m", "3m30s", {**HOT, "severity": "page"},
     {"summary": "Inlet (hot) temperature has been beyond its fatal threshold for a minute"}),
    ("SynseSensorUnknown", "5m", "6m", {**GONE, "severity": "warning"},
     {"summary": "Rail (gone) voltage has not reported for 5 minutes",
      "description": "No reading for several read intervals, or its plugin is unreachable."}),
    # over 30 transitions in 15 m from about 8 m on; firing 15 m later
    ("SynseAlarmsFlapping", "20m", "30m", {"instance": "s:5000", "severity": "warning"},
     {"summary": "60 alarm transitions in 15 minutes on s:5000",
      "description": "Review the thresholds' DwellTime and HysteresisReading (GET /v3/device/{id}/thresholds)."}),
    ("SynseWebhookEventsLost", "2m30s", "3m", {"instance": "s:5000", "destination": "a", "severity": "warning"},
     {"summary": "webhook a lost 1 events in 10 minutes (refused or dropped)"}),
    # retries from 1 m 30 s with no delivery in the 5 m window; firing 5 m later
    ("SynseWebhookReceiverDown", "6m", "7m", {"instance": "s:5000", "destination": "b", "severity": "warning"},
     {"summary": "webhook b has delivered nothing for 5 minutes while retrying",
      "description": "Events wait in its queue (webhooks[].queue_size) and are dropped beyond it."}),
]


def test_example_health_alerts_fire_after_their_for_duration(tmp_path):
    """promtool's rule unit tests (JSON is YAML) on examples/monitoring/alerts.yml."""
    def selector(name, labels):
        return name + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"
    checks = []
    for alert, pending, firing, labels, annotations in ALERTS:
        checks += [{"eval_time": pending, "alertname": alert, "exp_alerts": []},
                   {"eval_time": firing, "alertname": alert,
                    "exp_alerts": [{"exp_labels": labels, "exp_annotations": annotations}]}]
    tests = {"rule_files": [str(ROOT / "examples" / "monitoring" / "alerts.yml")], "evaluation_interval": "30s",
             "tests": [{"interval": "30s", "alert_rule_test": checks,
                        "input_series": [{"series": selector(name, labels), "values": values} for name, labels, values in SERIES]}]}
    path = tmp_path / "alerts-test.yml"
    path.write_text(json.dumps(tests))
    result = subprocess.run(["promtool", "test", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_compose_server_settings_put_thresholds_on_the_emulator():
    """The compose file's server environment (its demo health rule) starts a server that
    evaluates the emulator's temperatures."""
    import yaml
    compose = yaml.safe_load((ROOT / "examples" / "monitoring" / "compose.yaml").read_text())
    environment = dict(compose["services"]["synse-server"]["environment"], SYNSE_PLUGIN_EMBEDDED="emulator", SYNSE_PLUGIN_TCP="")
    server, base, _ = start_server(environment)
    try:
        temperature = next(d["id"] for d in get(base, "/v3/scan")[1] if d["type"] == "temperature")
        status, merged = get(base, f"/v3/device/{temperature}/thresholds")
        assert status == 200 and "demo temperature policy" in json.dumps(merged), merged
        # Once the live stream delivered its first reading: UpperCaution and UpperCritical.
        wait_for(lambda: len(matching(samples(scrape(base)[1]), "synse_device_threshold", id=temperature)) == 2)
    finally:
        stop(server)


def test_example_dashboard_queries_are_valid_promql(tmp_path):
    """Every panel's query, as a recording rule: promtool parses it (a typo in a panel would
    otherwise only show in Grafana as an empty panel)."""
    dashboard = json.loads((ROOT / "examples" / "monitoring" / "grafana" / "synse-dashboard.json").read_text())
    queries = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert "synse_device_health != 0" in queries
    assert any("count(synse_device_health == 2)" in query for query in queries)
    rules = {"groups": [{"name": "dashboard", "rules": [{"record": f"dashboard:query_{n}", "expr": q} for n, q in enumerate(queries)]}]}
    path = Path(tempfile.mkdtemp(prefix="dashboard-")) / "rules.yml"
    path.write_text(json.dumps(rules))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
