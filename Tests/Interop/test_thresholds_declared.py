"""Thresholds a plugin declares (issue 17, docs/health.md): the real hwmon plugin on a sysfs
fixture and the real emulator behind a real synse-server; `/v3/info/{id}` carries the device
metadata key `synse.thresholds`, hwmon alarm flags reach readings as `synse.alarm`, and bad
thresholds stop a plugin with one line naming the file and the key."""
import json
import os
import subprocess
import time

import pytest

from helpers import (BINARY, FIXTURES, HWMON, ROOT, copy_tree, free_port, get, start_plugin, start_server, stop,
                     wait_for, wait_until_serving)

SCRIPTED = ROOT / "plugins" / "emulator" / "config" / "scripted" / "devices.yaml"


def either(reading):
    return {"Reading": reading, "Activation": "Either", "DwellTime": "PT0S"}


def hwmon_config(tmp_path, port, extra=""):
    config = tmp_path / "config.yml"
    config.write_text(
        "version: 3\n"
        f"network: {{type: tcp, address: '127.0.0.1:{port}'}}\n"
        "settings: {read: {interval: 200ms}, write: {interval: 100ms}}\nhealth: {healthFile: ''}\n" + extra)
    return config


def hwmon(tree, config):
    """synse-hwmon-plugin on the sysfs tree `tree` with the plugin config file `config`."""
    return subprocess.Popen([str(HWMON)], env=dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=str(tree)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def behind_server(plugin, port, count):
    """Waits for `plugin` to serve and starts a server on it: (server, base, the `count` devices)."""
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"})
    return server, base, wait_for(lambda: (r := get(base, "/v3/scan")) and len(r[1]) == count and r[1])


def thresholds_of(base, devices, **fields):
    return json.loads(info_by(base, devices, **fields)["metadata"]["synse.thresholds"])


def info_by(base, devices, **fields):
    device = next(d for d in devices if all(d.get(k) == v or d.get("metadata", {}).get(k) == v for k, v in fields.items()))
    status, info = get(base, f"/v3/info/{device['id']}")
    assert status == 200, info
    return info


def test_hwmon_kernel_limits_and_operator_thresholds_reach_info(tmp_path):
    tree = copy_tree("server")
    # An odd kernel limit: dropped with a warning, the device and its other limits kept.
    (tree / "devices/platform/coretemp.0/hwmon/hwmon3/temp2_crit").write_text("0\n")
    port = free_port()
    config = hwmon_config(tmp_path, port, """dynamicRegistration:
  config:
    - thresholds:
        - match: "coretemp-isa-0001;Package id 1"
          temperature: {UpperCaution: {Reading: 70, DwellTime: PT10S}, HysteresisReading: 2}
""")
    plugin = hwmon(tree, config)
    server, base, devices = behind_server(plugin, port, 64)
    try:
        assert thresholds_of(base, devices, info="Package id 0") == {"temperature": {
            "UpperCaution": either(90), "UpperCritical": either(100), "HysteresisReading": 0, "HysteresisDuration": "PT0S"}}
        assert thresholds_of(base, devices, info="Composite", chip="nvme-pci-3d00") == {"temperature": {
            "LowerCaution": either(-0.15), "UpperCaution": either(84.85), "UpperCritical": either(94.85),
            "HysteresisReading": 0, "HysteresisDuration": "PT0S"}}
        # The operator's value wins; the kernel's crit stays.
        assert thresholds_of(base, devices, info="Package id 1") == {"temperature": {
            "UpperCaution": {"Reading": 70, "Activation": "Either", "DwellTime": "PT10S"}, "UpperCritical": either(100),
            "HysteresisReading": 2, "HysteresisDuration": "PT0S"}}
        assert thresholds_of(base, devices, info="Core 0", chip="coretemp-isa-0000") == {"temperature": {
            "UpperCaution": either(90), "HysteresisReading": 0, "HysteresisDuration": "PT0S"}}
        # "No limit" sentinels (65261850, -273150) give no thresholds at all.
        assert "synse.thresholds" not in info_by(base, devices, info="Sensor 8")["metadata"]
        # The chip's alarm flag: the reading says so at once.
        auxtin0 = next(d for d in devices if d["info"] == "AUXTIN0")
        status, readings = get(base, f"/v3/read/{auxtin0['id']}")
        assert status == 200 and readings[0]["context"]["synse.alarm"] == "caution" and readings[0]["context"]["alarm"] == "1"
        assert "synse.thresholds" not in readings[0]["context"]
    finally:
        stop(server)
        stop(plugin)
    dry = subprocess.run([str(HWMON), "--dry-run"], env=dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=str(tree)),
                         capture_output=True, text=True, timeout=60)
    warnings = [line for line in (dry.stdout + dry.stderr).splitlines() if "hwmon limit" in line]
    assert dry.returncode == 0 and len(warnings) == 1, (dry.stdout, dry.stderr)
    assert " warning " in warnings[0] and "hwmon3/temp2_crit ignored: 0.0 (UpperCritical) is below temp2_max" in warnings[0]


def test_emulator_device_config_thresholds_reach_info():
    port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{port}'}}", SCRIPTED)
    server, base, devices = behind_server(plugin, port, 3)
    try:
        assert thresholds_of(base, devices, info="Scripted Inlet Temperature") == {"temperature": {
            "UpperCaution": {"Reading": 35, "Activation": "Increasing", "DwellTime": "PT0S"}, "UpperCritical": either(50),
            "HysteresisReading": 2, "HysteresisDuration": "PT0S"}}
        assert info_by(base, devices, info="Scripted Inlet Temperature")["metadata"]["model"] == "emul8-scripted"
        assert "synse.thresholds" not in info_by(base, devices, info="Scripted Outlet Temperature")["metadata"]
    finally:
        stop(server)
        stop(plugin)


def alarms_of(base, **context):
    status, alarms = get(base, "/v3/alarms")
    assert status == 200, alarms
    return [a for a in alarms if all(a["context"].get(k) == v for k, v in context.items())]


def test_hwmon_limits_and_alarm_flags_become_alarms():
    """Through the server's own evaluation: a value past a kernel limit, a flag with no limit
    behind it (nct6798 in4, Super-I/O limits 0), and a flag the chip raises later, at once."""
    tree = copy_tree("server")
    port = free_port()
    plugin = hwmon(tree, hwmon_config(tree.parent, port))
    server, base, devices = behind_server(plugin, port, 64)
    try:
        temp3 = wait_for(lambda: alarms_of(base, chip="nct6798-isa-0a20", channel="temp3"))
        assert [(a["severity"], a["threshold"], a["threshold_reading"], a["value"]) for a in temp3] == [
            ("warning", "UpperCaution", 80.0, 127.0)]
        in4 = wait_for(lambda: alarms_of(base, chip="nct6798-isa-0a20", channel="in4"))
        assert [(a["severity"], a["threshold"]) for a in in4] == [("warning", None)]
        assert not alarms_of(base, chip="coretemp-isa-0000", channel="temp1")
        (tree / "devices/platform/coretemp.0/hwmon/hwmon3/temp1_crit_alarm").write_text("1\n")
        raised = wait_for(lambda: [a for a in alarms_of(base, chip="coretemp-isa-0000", channel="temp1")
                                   if a["severity"] == "critical"], timeout=5)
        assert raised[0]["value"] == 41.0 and raised[0]["context"]["synse.alarm"] == "critical"
    finally:
        stop(server)
        stop(plugin)


def test_a_chip_clearing_its_alarm_flag_clears_the_alarm():
    tree = copy_tree("server")
    port = free_port()
    plugin = hwmon(tree, hwmon_config(tree.parent, port))
    server, base, _ = behind_server(plugin, port, 64)
    try:
        wait_for(lambda: alarms_of(base, chip="nct6798-isa-0a20", channel="in4"))
        (tree / "devices/platform/nct6775.2592/hwmon/hwmon5/in4_alarm").write_text("0\n")
        wait_for(lambda: not alarms_of(base, chip="nct6798-isa-0a20", channel="in4"), timeout=5)
        time.sleep(12)  # longer than the server takes to call a silent sensor unknown
        assert alarms_of(base, chip="nct6798-isa-0a20", channel="in4") == []
    finally:
        stop(server)
        stop(plugin)


BAD = [
    ("UpperCritcal: {Reading: 95}", "temperature.UpperCritcal", "unknown key"),
    ("UpperCaution: {Reading: 90}\n            UpperCritical: {Reading: 80}", "temperature.UpperCritical",
     "80 is below temperature.UpperCaution (90)"),
    ("UpperCaution: {Reading: warm}", "temperature.UpperCaution.Reading", "expected a number"),
    ("UpperCaution: {Reading: 80, DwellTime: 5s}", "temperature.UpperCaution.DwellTime", "not an ISO 8601 duration"),
]


def one_line_error(command, env, cwd):
    result = subprocess.run(command, env=dict(os.environ, **env), cwd=cwd, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, (result.stdout, result.stderr)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if "config error" in line]
    assert len(errors) == 1 and " critical " in errors[0], (result.stdout, result.stderr)
    return errors[0]


@pytest.mark.parametrize("thresholds,key,message", BAD)
def test_bad_device_config_thresholds_stop_the_emulator(tmp_path, thresholds, key, message):
    devices = tmp_path / "devices.yaml"
    devices.write_text(f"""version: 3
devices:
  - type: temperature
    handler: scripted
    instances:
      - info: bad
        data: {{id: 1, values: [20]}}
        thresholds:
          temperature:
            {thresholds}
""")
    line = one_line_error([str(BINARY)], {"PLUGIN_DEVICE_CONFIG": str(devices)}, tmp_path)
    assert f"in {devices} at key 'devices[0].instances[0].thresholds.{key}'" in line and message in line, line


@pytest.mark.parametrize("thresholds,key,message", BAD)
def test_bad_operator_thresholds_stop_the_hwmon_plugin(tmp_path, thresholds, key, message):
    config = hwmon_config(tmp_path, free_port(), f"""dynamicRegistration:
  config:
    - thresholds:
        - match: coretemp-isa-0000
          temperature:
            {thresholds}
""")
    line = one_line_error([str(HWMON)], {"PLUGIN_CONFIG": str(config), "HWMON_SYSFS_ROOT": str(FIXTURES / "server")}, tmp_path)
    assert f"in {config} at key 'dynamicRegistration.config[0].thresholds[0].{key}'" in line and message in line, line
