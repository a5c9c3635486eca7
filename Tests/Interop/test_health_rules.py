"""Server rules over plugin thresholds (issue 17; docs/health.md "Server rules"): the real emulator
with a scripted sensor that declares thresholds behind a real synse-server whose config has a
rules file and inline rules. `GET /v3/device/{id}/thresholds` shows the merged result with each
value's source, evaluation uses it, and a bad rule stops the server with one line naming the
file and the key."""
import subprocess

from helpers import SERVER, free_port, get, request, start_plugin, start_server, stop, wait_for, wait_until_serving

DEVICES = """
version: 3
devices:
  - type: temperature
    handler: scripted
    instances:
      - info: Inlet
        alias: {name: inlet}
        tags: [rack:r1]
        data: {id: 1, values: [20], end: hold}
        thresholds:
          temperature:
            UpperCaution: {Reading: 80}
            UpperCritical: {Reading: 90}
            HysteresisReading: 2
      - info: Outlet
        data: {id: 2, values: [20], end: hold}
"""


def test_rules_override_plugin_values_and_the_endpoint_names_each_source(tmp_path):
    devices = tmp_path / "devices.yaml"
    devices.write_text(DEVICES)
    rules = tmp_path / "rules.yaml"
    rules.write_text("- name: fleet\n  thresholds: {temperature: {UpperCritical: {Reading: 70}, UpperCaution: {Reading: 60}}}\n")
    port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{port}'}}", devices)
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"}, f"""health:
  rules_file: {rules}
  rules:
    - name: rack r1
      tags: [rack:r1]
      thresholds: {{temperature: {{UpperCritical: {{Reading: 85, DwellTime: PT1S}}}}}}
""")
    try:
        ids = {d["info"]: d["id"] for d in get(base, "/v3/scan")[1]}
        status, inlet = get(base, "/v3/device/inlet/thresholds")
        assert status == 200, inlet
        assert inlet["device"] == ids["Inlet"] and inlet["problem"] is None
        temperature = inlet["thresholds"]["temperature"]
        assert temperature["UpperCaution"] == {"Reading": 60, "Activation": "Either", "DwellTime": "PT0S", "source": "fleet"}
        assert temperature["UpperCritical"] == {"Reading": 85, "Activation": "Either", "DwellTime": "PT1S", "source": "rack r1"}
        assert temperature["HysteresisReading"] == 2 and temperature["sources"] == {"HysteresisReading": "plugin", "HysteresisDuration": "plugin"}
        # (The SDK writes every field of a declared entry, so its HysteresisDuration PT0S is set.)
        # The outlet declares nothing and is not in rack r1: the fleet rule alone.
        status, outlet = get(base, f"/v3/device/{ids['Outlet']}/thresholds")
        assert outlet["thresholds"]["temperature"]["UpperCritical"]["source"] == "fleet"
        status, missing = get(base, "/v3/device/no-such-device/thresholds")
        assert status == 404 and missing["http_code"] == 404, missing

        # Evaluation uses the merged values: 75 is a warning (rule's 60), not critical (the rule's 85).
        status, result = request(base, f"/v3/write/wait/{ids['Inlet']}", "POST", {"action": "script", "data": "[75]"})
        assert status == 200, result
        alarm = wait_for(lambda: next((a for a in get(base, "/v3/alarms")[1] if a["device"] == ids["Inlet"]), None), timeout=5)
        assert alarm["severity"] == "warning" and alarm["threshold"] == "UpperCaution" and alarm["threshold_reading"] == 60, alarm
    finally:
        stop(server)
        stop(plugin)


def test_a_bad_rule_stops_the_server_with_one_line_naming_file_and_key(tmp_path):
    for rules, expected in [
        ("health:\n  rules:\n    - thresholds: {temperature: {UpperCritcal: {Reading: 1}}}\n",
         "'health.rules[0].thresholds.temperature.UpperCritcal'"),
        ("health:\n  rules:\n    - thresholds: {temperature: {UpperCaution: {Reading: 90}, UpperCritical: {Reading: 80}}}\n",
         "'health.rules[0].thresholds.temperature.UpperCritical'"),
        ("health:\n  rules:\n    - thresholds: {temperature: {LowerCaution: {Reading: cold}}}\n",
         "'health.rules[0].thresholds.temperature.LowerCaution.Reading'"),
    ]:
        config = tmp_path / "config.yml"
        config.write_text(rules)
        result = subprocess.run([str(SERVER), "--config", str(config), "--port", str(free_port())], capture_output=True, text=True, timeout=30)
        output = (result.stdout + result.stderr).strip()
        assert result.returncode == 2, output
        lines = [line for line in output.splitlines() if expected in line]
        assert len(lines) == 1 and str(config) in lines[0], output
