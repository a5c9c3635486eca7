"""The readings exporter of /metrics: every device reading as a Prometheus sample (several
readings of one device included), and a dead plugin's devices left out."""
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from helpers import (CLIENT_DEVICES, LED, SERVER, free_port, get, parsed_samples, samples, scrape, start_plugin, start_server,
                     stop, value, wait_for, wait_until_serving)


def external_and_embedded(**env):
    """An external emulator (the client devices) and a server with the emulator embedded, metrics
    on, every device scanned: (external process, its port, server process, base URL)."""
    external_port = free_port()
    external, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{external_port}'}}", CLIENT_DEVICES, "id: {useCustom: [external]}\n")
    wait_until_serving(external)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{external_port}", "SYNSE_PLUGIN_EMBEDDED": "emulator",
                                    "SYNSE_METRICS_ENABLED": "true", **env})
    wait_for(lambda: len(get(base, "/v3/scan")[1]) == 34)
    return external, external_port, server, base


def test_device_readings_exported_and_a_dead_plugin_left_out():
    external, _, server, base = external_and_embedded(SYNSE_METRICS_READINGS_TIMEOUT="1")
    try:
        parsed = samples(scrape(base)[1])
        temperatures = {dict(labels)["id"]: (dict(labels), v) for (name, labels), v in parsed.items() if name == "synse_device_temperature_celsius"}
        external_id = next(d["id"] for d in get(base, "/v3/scan?tags=foo/bar")[1] if d["info"] == "Synse Temperature Sensor 1")
        labels, reading = temperatures[external_id]
        assert labels["info"] == "Synse Temperature Sensor 1" and labels["device_type"] == "temperature" and labels["tags"] == "foo/bar"
        assert isinstance(reading, float)
        external_plugin = labels["plugin"]
        assert len({labels["plugin"] for labels, _ in temperatures.values()}) == 2
        assert any(name == "synse_device_fan_rpm" for name, _ in parsed)
        # LED readings are strings: not exported.
        assert not [labels for (name, labels) in parsed if name.startswith("synse_device_") and ("id", LED) in labels]
        # Each plugin's part in the scrape (issue 21): both answered.
        plugin_ids = {d["id"] for d in get(base, "/v3/plugin")[1]}
        assert {p: value(parsed, "synse_readings_scrape_success", plugin=p) for p in plugin_ids} == {p: 1 for p in plugin_ids}
        assert all(0 <= value(parsed, "synse_readings_scrape_duration_seconds", plugin=p) < 1 for p in plugin_ids)

        external.send_signal(signal.SIGSTOP)  # a plugin that hangs rather than refuses
        try:
            started = time.time()
            status, text = scrape(base)
            assert status == 200 and time.time() - started < 5
            parsed = samples(text)
            plugins = {dict(labels)["plugin"] for (name, labels) in parsed if name == "synse_device_temperature_celsius"}
            assert len(plugins) == 1 and external_plugin not in plugins  # only the embedded one answered
            # Visible as such, not only as missing series: it missed the 1 s deadline.
            assert value(parsed, "synse_readings_scrape_success", plugin=external_plugin) == 0
            assert value(parsed, "synse_readings_scrape_duration_seconds", plugin=external_plugin) >= 1
        finally:
            external.send_signal(signal.SIGCONT)
    finally:
        stop(server)
        stop(external)


# A power meter of the original's eGauge shape (one device, a voltage per leg), beside the
# other ways one device can send several readings that map to one metric: equal contexts,
# two units of one quantity, context keys that only differ in characters a label name
# cannot hold, and the emulator's fan-multi (a context-less rpm beside one with context).
METER_DEVICES = """\
version: 3
devices:
  - type: power
    handler: meter
    context: {model: emul8-meter}
    instances:
      - info: Panel A Meter
        data:
          id: 1
          readings:
            - {output: voltage, value: 120.5, context: {leg: "1"}}
            - {output: voltage, value: 119.25, context: {leg: "2"}}
            - {output: voltage, value: 239.75, context: {leg: 1-2}}
            - {output: watt, value: 1500}
      - info: Twin Probes
        data:
          id: 2
          readings:
            - {output: temperature, value: 20, context: {probe: inlet}}
            - {output: temperature, value: 21, context: {probe: inlet}}
      - info: Energy Counter
        data:
          id: 3
          readings:
            - {output: kilojoule, value: 2}
            - {output: kilowatt-hour, value: 1}
            - {output: state, value: "on"}
      - info: Odd Keys
        data:
          id: 4
          readings:
            - {output: voltage, value: 1, context: {a-b: x}}
            - {output: voltage, value: 2, context: {a.b: x}}
  - type: fan
    handler: fan-multi
    instances:
      - info: Twin Fan
        data: {id: 5}
"""


def meter_stack():
    """An external emulator serving METER_DEVICES and a server exporting its readings."""
    directory = Path(tempfile.mkdtemp(prefix="meter-"))
    (directory / "devices.yaml").write_text(METER_DEVICES)
    port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{port}'}}", directory / "devices.yaml")
    wait_until_serving(plugin)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}", "SYNSE_METRICS_ENABLED": "true"})
    return plugin, server, base


def test_every_reading_of_a_device_reaches_prometheus():
    plugin, server, base = meter_stack()
    try:
        scanned = wait_for(lambda: (r := get(base, "/v3/scan")[1]) and len(r) == 5 and r)
        devices = {d["info"]: d["id"] for d in scanned}
        wait_for(lambda: len([r for r in get(base, "/v3/read")[1] if r["device"] == devices["Twin Fan"]]) == 3)
        text = scrape(base)[1]

        # No two samples with one name and label set, read by two independent parsers.
        samples = parsed_samples(text)
        keys = [(name, frozenset(labels.items())) for name, labels, _ in samples]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        findings = [line for line in (lint.stdout + lint.stderr).splitlines() if line.strip()]
        assert not [line for line in findings if "synse_device_" in line or "error" in line.lower()], findings

        def device_samples(info):
            """[(name, labels beyond the base ones, value)] of one device, in a stable order."""
            found = [(name, {k: v for k, v in labels.items() if k not in ("id", "info", "device_type", "plugin", "tags")}, value)
                     for name, labels, value in samples if labels.get("id") == devices[info]]
            return sorted(found, key=lambda sample: (sample[0], sorted(sample[1].items()), sample[2]))

        # The eGauge shape: three voltages told apart by their leg, the one power reading unlabelled.
        assert device_samples("Panel A Meter") == [
            ("synse_device_power_watts", {}, 1500.0),
            ("synse_device_voltage_volts", {"context_leg": "1"}, 120.5),
            ("synse_device_voltage_volts", {"context_leg": "1-2"}, 239.75),
            ("synse_device_voltage_volts", {"context_leg": "2"}, 119.25),
        ]
        # Context alike: position decides.
        assert device_samples("Twin Probes") == [
            ("synse_device_temperature_celsius", {"index": "0"}, 20.0),
            ("synse_device_temperature_celsius", {"index": "1"}, 21.0),
        ]
        # kJ and kWh both become joules: two samples of one family, told apart by position.
        assert device_samples("Energy Counter") == [
            ("synse_device_energy_joules", {"index": "0"}, 2000.0),
            ("synse_device_energy_joules", {"index": "1"}, 3600000.0),
        ]
        assert device_samples("Odd Keys") == [
            ("synse_device_voltage_volts", {"context_a_b": "x"}, 1.0),
            ("synse_device_voltage_volts", {"context_a_b_2": "x"}, 2.0),
        ]
        fan = device_samples("Twin Fan")
        assert [(name, labels) for name, labels, _ in fan] == [
            ("synse_device_fan_rpm", {}), ("synse_device_fan_rpm", {"context_max": "2700", "context_min": "0"})]

        # The kind: every numeric reading /v3/read returns has its own sample.
        readings = get(base, "/v3/read")[1]
        for info, device in devices.items():
            numeric = [r for r in readings if r["device"] == device and isinstance(r["value"], (int, float))]
            assert len(numeric) == len(device_samples(info)), info
    finally:
        stop(server)
        stop(plugin)


def test_build_info_a_stopped_plugins_scrape_and_the_name_prefix():
    """synse_build_info; a stopped (inactive) plugin's scrape success 0, not asked; with
    metrics.prefix every family of the body carries the prefix (issue 21)."""
    external, external_port, server, base = external_and_embedded(SYNSE_METRICS_PREFIX="site1_")
    try:
        status, text = scrape(base)
        assert status == 200
        parsed = samples(text)
        names = {name for name, _ in parsed}
        assert names and all(name.startswith("site1_") for name in names), sorted(n for n in names if not n.startswith("site1_"))
        assert all(line.split(" ")[2].startswith("site1_") for line in text.splitlines() if line.startswith(("# HELP ", "# TYPE ")))
        version = get(base, "/version")[1]
        assert value(parsed, "site1_synse_build_info", version=version["version"], api_version=version["api_version"]) == 1
        assert "site1_synse_device_temperature_celsius" in names and "site1_process_open_fds" in names
        external_plugin = next(p["id"] for p in get(base, "/v3/plugin")[1]
                               if get(base, f"/v3/plugin/{p['id']}")[1]["network"]["address"].endswith(str(external_port)))
        stop(external)
        wait_for(lambda: value(samples(scrape(base)[1]), "site1_synse_plugin_active_state", plugin=external_plugin) == 0, timeout=30)
        parsed = samples(scrape(base)[1])
        assert value(parsed, "site1_synse_readings_scrape_success", plugin=external_plugin) == 0
        assert value(parsed, "site1_synse_readings_scrape_duration_seconds", plugin=external_plugin) == 0
        assert [p for p in get(base, "/v3/plugin")[1] if p["id"] != external_plugin and
                value(parsed, "site1_synse_readings_scrape_success", plugin=p["id"]) != 1] == []
        # A prefix Prometheus would refuse stops startup with the key named.
        done = subprocess.run([str(SERVER), "--port", str(free_port())], env=dict(os.environ, SYNSE_METRICS_PREFIX="1site"),
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 2 and "metrics.prefix" in done.stdout + done.stderr, (done.stdout, done.stderr)
    finally:
        stop(server)
        if external.poll() is None:
            stop(external)
