"""`metrics.readings_naming: node_exporter` (issue 21): the hwmon plugin's readings under
node_exporter's own series names, checked against the real node_exporter (Debian's
prometheus-node-exporter) reading the same sysfs fixture tree. Every series either side has
for a chip both expose must be in the other with the same name, labels and value, unless it
falls in one of the documented differences below (README "node_exporter names")."""
import subprocess
import urllib.request

import pytest

from helpers import FIXTURES, free_port, samples, scrape, start_hwmon, start_server, stop, wait_for, wait_until_serving

# Limit items the plugin reads at discovery (docs/hwmon.md §1.3) and the flags it reads per reading.
LIMITS = {"min", "max", "lcrit", "crit", "emergency", "max_hyst", "min_hyst", "crit_hyst", "emergency_hyst", "cap",
          "rated_min", "rated_max", "average_min", "average_max", "target", "div"}
UNITS = ("_celsius", "_volts", "_amps", "_watt", "_joule_total", "_rpm")
FAMILIES = ("temp", "in", "curr", "power", "energy", "humidity", "fan", "intrusion", "pwm")
SUPER_IO = ("nct6", "it87", "w83", "f71", "f81")


def element(name):
    """(family, element) of a node_hwmon_ series name: node_hwmon_temp_crit_celsius → (temp, crit)."""
    rest = name.removeprefix("node_hwmon_")
    for suffix in UNITS:
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    family, _, item = rest.partition("_")
    return family, item


def read_by_plugin(name):
    """Whether the series is made from a file the plugin reads: a value, a limit, a flag, a
    label. Beep, pwm curve, fan pulses, temp type/offset, power intervals and update intervals
    are not read."""
    if name in ("node_hwmon_chip_names", "node_hwmon_sensor_label"):
        return True
    family, item = element(name)
    if family not in FAMILIES:
        return False
    if family == "pwm":
        return item in ("", "enable")
    if family == "power" and item == "average":
        return True
    return item in ("", "alarm", "fault") or item.endswith("_alarm") or item in LIMITS


def sentinel(name, labels, value, chip_names):
    """A limit the plugin knows means "no limit" (docs/hwmon.md §1.3), which it leaves out."""
    family, item = element(name)
    if item not in LIMITS:
        return False
    chip_name = chip_names.get(labels["chip"], "")
    if family == "temp" and (value <= -273.15 + 1e-9 or abs(value - 65261.85) < 1e-6):
        return True
    if value == 0 and chip_name.startswith(SUPER_IO):
        return True
    return value == 0 and chip_name.startswith(("ina2", "ina3")) and item in ("crit", "lcrit")


# Differences of another kind, each with its reason.
KNOWN = {
    # node_exporter also reads the files of a chip's device directory; a thermal zone's own
    # `temp` file becomes its `temp0`. It is no hwmon channel.
    ("node_hwmon_temp_celsius", "thermal_thermal_zone0", "temp0"),
    # adm1032 temp2 has temp2_fault = 1: the plugin reports the reading as invalid, not as 0 °C
    # (its node_hwmon_temp_fault is exported).
    ("node_hwmon_temp_celsius", "i2c_1_1_004c", "temp2"),
    # i915 power1 has limits but no measurement file: the channel has no readings to carry them.
    ("node_hwmon_power_max_watt", "0000:02:01_0_0000:03:00_0", "power1"),
    ("node_hwmon_power_crit_watt", "0000:02:01_0_0000:03:00_0", "power1"),
    ("node_hwmon_power_rated_max_watt", "0000:02:01_0_0000:03:00_0", "power1"),
}


def node_exporter_samples(tree):
    port = free_port()
    process = subprocess.Popen(["prometheus-node-exporter", "--collector.disable-defaults", "--collector.hwmon",
                                f"--path.sysfs={tree}", f"--web.listen-address=127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def fetch():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
                    return response.read().decode()
            except OSError:
                return None
        wait_for(lambda: fetch() is not None)
        return samples(fetch())
    finally:
        stop(process)


def synse_samples(tree, **env):
    plugin_port = free_port()
    plugin = start_hwmon(tree, f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}")
    try:
        wait_until_serving(plugin)
        server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_METRICS_ENABLED": "true", **env})
        try:
            # Readings arrive once the plugin's first read pass is done.
            wait_for(lambda: any(name == "node_hwmon_temp_celsius" or name == "synse_device_temperature_celsius"
                                 for name, _ in samples(scrape(base)[1])))
            status, text = scrape(base)
            assert status == 200
            return samples(text), text
        finally:
            stop(server)
    finally:
        stop(plugin)


def hwmon_only(parsed):
    return {key: value for key, value in parsed.items() if key[0].startswith("node_hwmon_")}


def chip(key):
    return dict(key[1])["chip"]


@pytest.mark.parametrize("tree", ["node-exporter", "server"])
def test_same_series_as_node_exporter_for_the_chips_both_expose(tree):
    theirs = hwmon_only(node_exporter_samples(FIXTURES / tree))
    parsed, text = synse_samples(FIXTURES / tree, SYNSE_METRICS_READINGS_NAMING="node_exporter")
    ours = hwmon_only(parsed)
    assert "# TYPE node_hwmon_temp_celsius gauge" in text
    # Every hwmon reading renamed, but frequencies, which node_exporter 1.5.0 does not export:
    # they keep their Synse name rather than go missing.
    assert {key[0] for key in parsed if key[0].startswith("synse_device_")} <= {"synse_device_frequency_hertz"}

    # node_exporter names chips on one parent alike (mt7996 radios, asus chips) and drops
    # all but one of their series; ours append the chip's name and keep every chip apart.
    their_names = {}
    for key in theirs:
        if key[0] == "node_hwmon_chip_names":
            their_names.setdefault(chip(key), []).append(dict(key[1])["chip_name"])
    shared = {name for name, names in their_names.items() if len(names) > 1}
    for shared_chip in shared:
        for chip_name in their_names[shared_chip]:
            ours_chip = f"{shared_chip}_{chip_name}"
            if any(chip(key) == ours_chip for key in ours):
                assert ("node_hwmon_chip_names", frozenset({("chip", ours_chip), ("chip_name", chip_name)})) in ours
    if tree == "node-exporter":
        assert shared == {"ieee80211_phy0", "platform_asus_nb_wmi"}
        assert {chip(key) for key in ours if key[0] == "node_hwmon_temp_celsius"} >= {
            "ieee80211_phy0_mt7996_phy0_0", "ieee80211_phy0_mt7996_phy0_1", "ieee80211_phy0_mt7996_phy0_2"}
    chip_names = {name: names[0] for name, names in their_names.items()}
    both = ({chip(key) for key in theirs} & {chip(key) for key in ours}) - shared
    assert len(both) >= (4 if tree == "node-exporter" else 10)

    compared = 0
    for key, value in ours.items():
        if chip(key) in both:
            assert key in theirs, f"{key} is not node_exporter's"
            assert value == pytest.approx(theirs[key], rel=1e-6, abs=1e-9), key
            compared += 1
    missing = []
    for key, value in theirs.items():
        labels = dict(key[1])
        if chip(key) not in both or key in ours or not read_by_plugin(key[0]):
            continue
        if sentinel(key[0], labels, value, chip_names) or (key[0], labels["chip"], labels.get("sensor")) in KNOWN:
            continue
        missing.append(key)
    assert not missing, f"node_exporter series the plugin reads but Synse does not export: {missing}"
    assert compared >= (40 if tree == "node-exporter" else 150)


def test_synse_naming_stays_the_default():
    parsed, _ = synse_samples(FIXTURES / "node-exporter")
    assert not [key for key in parsed if key[0].startswith("node_hwmon_")]
    assert [key for key in parsed if key[0] == "synse_device_temperature_celsius"]


def test_an_unknown_naming_is_refused_by_name():
    port = free_port()
    result = subprocess.run([str(__import__("helpers").SERVER), "--port", str(port)], capture_output=True, timeout=30,
                            env={"PATH": "/usr/bin:/bin", "SYNSE_METRICS_READINGS_NAMING": "node-exporter"})
    assert result.returncode != 0
    output = (result.stdout + result.stderr).decode()
    assert "metrics.readings_naming" in output and "node_exporter" in output
