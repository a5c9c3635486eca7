"""Kernel limits and chip alarm flags become health (issue 17): the real hwmon plugin on a
writable copy of the server sysfs fixture behind a real synse-server. A temperature written past
its `_crit` is a critical alarm naming UpperCritical; a chip's `_alarm` flag raises at once,
with or without thresholds, and ends when the flag goes; `/v3/read` carries each reading's health."""
import os
import subprocess

from helpers import HWMON, copy_tree, free_port, get, start_server, stop, wait_for, wait_until_serving

CORETEMP = "devices/platform/coretemp.0/hwmon/hwmon3"
NCT = "devices/platform/nct6775.2592/hwmon/hwmon5"


def alarms_by_info(base, devices):
    status, alarms = get(base, "/v3/alarms")
    assert status == 200, alarms
    info = {device["id"]: device["info"] for device in devices}
    return {info[entry["device"]]: entry for entry in alarms}


def test_kernel_limits_and_alarm_flags_become_alarms(tmp_path):
    tree = copy_tree("server")
    port = free_port()
    config = tmp_path / "config.yml"
    config.write_text(
        "version: 3\n"
        f"network: {{type: tcp, address: '127.0.0.1:{port}'}}\n"
        "settings: {read: {interval: 200ms}, write: {interval: 100ms}}\nhealth: {healthFile: ''}\n")
    plugin = subprocess.Popen([str(HWMON)], env=dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=str(tree)),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"})
    try:
        devices = wait_for(lambda: (r := get(base, "/v3/scan")) and len(r[1]) == 64 and r[1])
        # AUXTIN0 reads 127 °C, past its _max of 80 (UpperCaution), and its chip flags the alarm.
        auxtin0 = wait_for(lambda: alarms_by_info(base, devices).get("AUXTIN0"), timeout=10)
        assert auxtin0["severity"] == "warning" and auxtin0["threshold"] == "UpperCaution", auxtin0
        # Back under the limit, the chip's flag alone holds the alarm (no dwell, no threshold).
        (tree / NCT / "temp3_input").write_text("20000\n")
        auxtin0 = wait_for(lambda: (lambda a: a if a and a["value"] == 20 else None)(alarms_by_info(base, devices).get("AUXTIN0")), timeout=10)
        assert auxtin0["severity"] == "warning" and auxtin0["threshold"] is None, auxtin0
        assert "synse.alarm" in auxtin0["message"], auxtin0

        # Package id 0: UpperCaution 90 (_max), UpperCritical 100 (_crit); 101 °C is critical.
        (tree / CORETEMP / "temp1_input").write_text("101000\n")
        package = wait_for(lambda: (lambda a: a if a and a["severity"] == "critical" else None)(
            alarms_by_info(base, devices).get("Package id 0")), timeout=10)
        assert package["threshold"] == "UpperCritical" and package["threshold_reading"] == 100 and package["value"] == 101, package
        status, readings = get(base, "/v3/read")
        health = {reading["device"]: reading["health"] for reading in readings}
        assert health[package["device"]] == "critical"
        assert health[auxtin0["device"]] == "warning"

        # Back to normal: the value clears, and the chip dropping its flag ends that alarm.
        (tree / CORETEMP / "temp1_input").write_text("45000\n")
        for flag in (tree / NCT).glob("temp3_*alarm"):
            flag.write_text("0\n")
        wait_for(lambda: not {"Package id 0", "AUXTIN0"} & set(alarms_by_info(base, devices)), timeout=10)
    finally:
        stop(server)
        stop(plugin)
