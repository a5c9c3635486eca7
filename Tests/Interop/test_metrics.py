"""/metrics: exact values after known traffic, promtool's lint, the readings exporter, access
options, and a real Prometheus server scraping synse-server."""
import asyncio
import base64
import json
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpers import (BINARY, CLIENT_DEVICES, LED, PLUGIN, ROOT, copy_tree, free_port, get, request, start_hwmon,
                     start_plugin, start_server, stop, wait_for, wait_until_serving)

BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"]


def scrape(base, headers=None):
    req = urllib.request.Request(base + "/metrics", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def samples(text):
    """{(name, frozenset(labels)): value} of an exposition; a repeated name and label set fails."""
    result = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        assert match, line
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
        assert (match.group(1), labels) not in result, f"duplicate sample: {line}"
        result[(match.group(1), labels)] = float(match.group(3))
    return result


def value(parsed, name, **labels):
    return parsed.get((name, frozenset(labels.items())))


@pytest.fixture
def metered():
    """A server with metrics on (readings off, so scrapes add no gRPC traffic) and an
    external emulator over TCP; yields (base, port, plugin process)."""
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    server, base, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_METRICS_ENABLED": "true",
                                       "SYNSE_METRICS_READINGS": "false"})
    yield base, port, plugin
    stop(server)
    stop(plugin)
    assert server.returncode == 0


def test_metrics_are_off_by_default(stack):  # noqa: F811
    base, _ = stack
    assert get(base, "/metrics")[0] == 404


def test_exact_values_after_known_traffic(metered):
    base, port, _ = metered
    parsed = samples(scrape(base)[1])
    # start_server polled /v3/scan until it answered: count what is there, then add to it.
    scans = value(parsed, "synse_http_request_count_total", method="GET", template="/v3/scan", endpoint="/v3/scan", http_code="200")
    assert scans and scans >= 1
    test_bodies = []
    for _ in range(3):
        with urllib.request.urlopen(base + "/test") as response:
            test_bodies.append(len(response.read()))
    for _ in range(2):
        assert get(base, "/v3/read/emulator-led")[0] == 200
    assert get(base, "/v3/read/no-such-device")[0] == 404
    assert get(base, "/v3/nope")[0] == 404               # unknown route: not recorded
    assert request(base, "/test", "DELETE")[0] == 405    # wrong method: not recorded

    sent, received = [], []

    async def websocket():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                for message in [{"id": 1, "event": "request/status"}, {"id": 2, "event": "request/status"}]:
                    sent.append(json.dumps(message))
                    await ws.send_str(sent[-1])
                    received.append((await ws.receive()).data)
                await ws.send_str("{not json")
                received.append((await ws.receive()).data)
                during = samples(scrape(base)[1])
                assert value(during, "synse_websocket_session_count", source="127.0.0.1") == 1
        await asyncio.sleep(0.3)

    asyncio.new_event_loop().run_until_complete(websocket())
    parsed = samples(scrape(base)[1])

    def http(template, endpoint, code="200", name="synse_http_request_count_total"):
        return value(parsed, name, method="GET", template=template, endpoint=endpoint, http_code=code)

    assert http("/test", "/test") == 3
    assert http("/test", "/test", name="synse_http_response_bytes_total") == sum(test_bodies)
    assert http("/test", "/test", name="synse_http_request_latency_sec_count") == 3
    assert [labels for (name, labels) in parsed if name == "synse_http_request_latency_sec_bucket" and ("endpoint", "/test") in labels] \
        and {dict(labels)["le"] for (name, labels) in parsed if name == "synse_http_request_latency_sec_bucket"} == set(BUCKETS)
    assert http("/v3/read/<device_id:str>", "/v3/read/emulator-led") == 2
    assert http("/v3/read/<device_id:str>", "/v3/read/no-such-device", "404") == 1
    assert http("/v3/scan", "/v3/scan") == scans
    assert not [labels for (name, labels) in parsed if name.startswith("synse_http") and
                (("endpoint", "/v3/nope") in labels or ("http_code", "405") in labels or ("endpoint", "/metrics") in labels)]
    assert not [labels for (name, labels) in parsed if name.startswith("synse_http") and "ip" in dict(labels)]

    assert value(parsed, "synse_websocket_request_count_total", event="request/status") == 2
    assert value(parsed, "synse_websocket_request_bytes_total", event="request/status") == sum(len(m) for m in sent)
    assert value(parsed, "synse_websocket_response_bytes_total", event="response/status") == sum(len(m) for m in received[:2])
    assert value(parsed, "synse_websocket_response_bytes_total", event="response/error") == len(received[2])
    assert value(parsed, "synse_websocket_error_response_count_total", event="response/error") == 1
    assert value(parsed, "synse_websocket_request_latency_sec_count", event="request/status") == 2
    assert value(parsed, "synse_websocket_session_count", source="127.0.0.1") == 0

    def grpc(name, method, plugin=PLUGIN, kind="unary"):
        return value(parsed, name, type=kind, service="synse.V3Plugin", method=method, plugin=plugin)

    # Registration: Metadata and Version before the plugin's ID is known.
    assert grpc("synse_grpc_message_sent_total", "Metadata", "") == 1 == grpc("synse_grpc_message_received_total", "Metadata", "")
    assert grpc("synse_grpc_message_sent_total", "Version", "") == 1 == grpc("synse_grpc_message_received_total", "Version", "")
    # Two reads of the LED: two Read streams of two readings (state and color) each; the
    # read of an unknown device never reaches the plugin.
    assert grpc("synse_grpc_message_sent_total", "Read", kind="server_streaming") == 2
    assert grpc("synse_grpc_message_received_total", "Read", kind="server_streaming") == 4
    assert grpc("synse_grpc_request_latency_sec_count", "Read", kind="server_streaming") == 2
    devices_calls = grpc("synse_grpc_message_sent_total", "Devices", kind="server_streaming")
    assert devices_calls >= 1 and grpc("synse_grpc_message_received_total", "Devices", kind="server_streaming") == 5 * devices_calls

    assert value(parsed, "synse_plugin_active_state", plugin=PLUGIN) == 1
    assert value(parsed, "synse_plugin_connect_count_total", plugin=PLUGIN) == 1
    assert value(parsed, "synse_plugin_disabled", plugin=PLUGIN) == 0
    assert value(parsed, "synse_registered_devices") == 5
    for name in ["process_resident_memory_bytes", "process_virtual_memory_bytes", "process_cpu_seconds_total",
                 "process_open_fds", "process_max_fds", "process_start_time_seconds"]:
        assert value(parsed, name) and value(parsed, name) > 0, name
    assert abs(value(parsed, "process_start_time_seconds") - time.time()) < 120


def test_promtool_accepts_the_live_output(metered):
    base, port, _ = metered
    get(base, "/v3/read")

    async def websocket():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                await ws.send_str(json.dumps({"id": 1, "event": "request/scan"}))
                await ws.receive()
                return scrape(base)[1]

    text = asyncio.new_event_loop().run_until_complete(websocket())
    result = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    lint = sorted(line for line in (result.stdout + result.stderr).splitlines() if line.strip())
    # The only findings allowed are the two that the spec's own names cause (docs/api-v3.md §10).
    assert lint == [
        "synse_grpc_request_latency_sec metric names should not contain abbreviated units",
        "synse_http_request_latency_sec metric names should not contain abbreviated units",
        "synse_websocket_request_latency_sec metric names should not contain abbreviated units",
        "synse_websocket_session_count non-histogram and non-summary metrics should not have \"_count\" suffix",
    ], lint


def test_device_readings_exported_and_a_dead_plugin_left_out():
    external_port = free_port()
    external, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{external_port}'}}", CLIENT_DEVICES, "id: {useCustom: [external]}\n")
    wait_until_serving(external)
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{external_port}", "SYNSE_PLUGIN_EMBEDDED": "emulator",
                                    "SYNSE_METRICS_ENABLED": "true", "SYNSE_METRICS_READINGS_TIMEOUT": "1"})
    try:
        wait_for(lambda: len(get(base, "/v3/scan")[1]) == 34)
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

        external.send_signal(signal.SIGSTOP)  # a plugin that hangs rather than refuses
        try:
            started = time.time()
            status, text = scrape(base)
            assert status == 200 and time.time() - started < 5
            parsed = samples(text)
            plugins = {dict(labels)["plugin"] for (name, labels) in parsed if name == "synse_device_temperature_celsius"}
            assert len(plugins) == 1 and external_plugin not in plugins  # only the embedded one answered
        finally:
            external.send_signal(signal.SIGCONT)
    finally:
        stop(server)
        stop(external)


def test_metrics_on_their_own_port_behind_a_token_or_basic_auth(tmp_path):
    metrics_port = free_port()
    log = tmp_path / "server.log"
    server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_METRICS_ENABLED": "true",
                                    "SYNSE_METRICS_PORT": str(metrics_port), "SYNSE_METRICS_HOST": "127.0.0.1",
                                    "SYNSE_METRICS_AUTH_TOKEN": "s3cret", "SYNSE_LOGGING": "debug"}, log=log)
    try:
        assert get(base, "/metrics")[0] == 404
        # The token is a credential: /v3/config and the debug startup log show it redacted.
        status, config = get(base, "/v3/config")
        assert status == 200 and config["metrics"]["auth"]["token"] == "<redacted>", config
        assert "s3cret" not in log.read_text()
        other = f"http://127.0.0.1:{metrics_port}"
        status, _ = scrape(other)
        assert status == 401
        assert scrape(other, {"Authorization": "Bearer wrong"})[0] == 401
        status, text = scrape(other, {"Authorization": "Bearer s3cret"})
        assert status == 200 and "synse_registered_devices 29" in text
        assert scrape(other, {"Authorization": "bearer s3cret"})[0] == 200  # schemes are case-insensitive
        assert scrape(other, {"Authorization": "Basic s3cret"})[0] == 401
    finally:
        stop(server)
    server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_METRICS_ENABLED": "true",
                                    "SYNSE_METRICS_AUTH_USERNAME": "prom", "SYNSE_METRICS_AUTH_PASSWORD": "pw",
                                    "SYNSE_METRICS_IP_LABEL": "true"})
    try:
        assert scrape(base)[0] == 401
        assert scrape(base, {"Authorization": "Basic " + base64.b64encode(b"prom:wrong").decode()})[0] == 401
        good = "Basic " + base64.b64encode(b"prom:pw").decode()
        get(base, "/test")
        status, text = scrape(base, {"Authorization": good})
        assert status == 200
        # metrics.ip_label on: the client address becomes a label.
        assert value(samples(text), "synse_http_request_count_total", method="GET", template="/test", endpoint="/test",
                     http_code="200", ip="127.0.0.1") == 1
    finally:
        stop(server)


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus not installed")
def test_a_real_prometheus_scrapes_the_server(metered):
    base, _, _ = metered
    server_port = base.rsplit(":", 1)[1]
    directory = Path(tempfile.mkdtemp(prefix="prometheus-"))
    prometheus_port = free_port()
    (directory / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"scrape_configs:\n  - job_name: synse\n    static_configs: [{{targets: ['127.0.0.1:{server_port}']}}]\n")
    prometheus = subprocess.Popen(
        ["prometheus", f"--config.file={directory / 'prometheus.yml'}", f"--storage.tsdb.path={directory / 'data'}",
         f"--web.listen-address=127.0.0.1:{prometheus_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(7):
            get(base, "/test")

        def query(expression):
            url = f"http://127.0.0.1:{prometheus_port}/api/v1/query?" + urllib.parse.urlencode({"query": expression})
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())["data"]["result"]

        result = wait_for(lambda: (r := query('synse_http_request_count_total{template="/test"}')) and r[0]["value"][1] == "7" and r, timeout=30)
        assert result[0]["metric"] == {"__name__": "synse_http_request_count_total", "endpoint": "/test", "http_code": "200",
                                       "instance": f"127.0.0.1:{server_port}", "job": "synse", "method": "GET", "template": "/test"}
        active = query("synse_plugin_active_state")
        assert [(r["metric"]["plugin"], r["value"][1]) for r in active] == [(PLUGIN, "1")]
        assert query("synse_registered_devices")[0]["value"][1] == "5"
        assert query('up{job="synse"}')[0]["value"][1] == "1"
    finally:
        prometheus.terminate()
        prometheus.wait(timeout=10)


def test_example_monitoring_files_pass_promtool():
    examples = ROOT / "examples" / "monitoring"
    for command in (["check", "config", str(examples / "prometheus.yml")], ["check", "rules", str(examples / "alerts.yml")]):
        result = subprocess.run(["promtool", *command], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    dashboard = json.loads((examples / "grafana" / "synse-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    assert expressions and all("synse_" in e or "process_" in e for e in expressions)


def test_metrics_pushed_to_statsd():
    import socket as sockets
    listener = sockets.socket(sockets.AF_INET, sockets.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(10)
    server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_METRICS_ENABLED": "true",
                                    "SYNSE_METRICS_STATSD_ADDRESS": f"127.0.0.1:{listener.getsockname()[1]}",
                                    "SYNSE_METRICS_STATSD_PREFIX": "synse.test"})
    try:
        assert get(base, "/test")[0] == 200
        lines = []
        while not any(":/test," in line and "request_count" in line for line in lines):
            lines.append(listener.recv(4096).decode())
        assert "synse.test.synse_http_request_count_total:1|c|#method:GET,template:/test,endpoint:/test,http_code:200" in lines
        while not any("request_latency_sec" in line and ":/test," in line for line in lines):
            lines.append(listener.recv(4096).decode())
        latency = next(line for line in lines if "request_latency_sec" in line and ":/test," in line)
        assert re.fullmatch(r"synse\.test\.synse_http_request_latency_sec:[0-9.e-]+\|ms\|#method:GET,template:/test,endpoint:/test,http_code:200", latency)
        assert any(line.startswith("synse.test.synse_registered_devices:29|g") for line in lines) or \
            "synse_registered_devices 29" in scrape(base)[1]  # Prometheus keeps working beside StatsD
    finally:
        stop(server)
        listener.close()


def test_plugin_side_metrics():
    from synse_grpc import client as grpc_client
    plugin_port, metrics_port = free_port(), free_port()
    import os
    env = dict(os.environ, PLUGIN_METRICS_ENABLED="true", PLUGIN_METRICS_ADDRESS=f"127.0.0.1:{metrics_port}")
    directory = Path(tempfile.mkdtemp(prefix="plugin-metrics-"))
    (directory / "config.yml").write_text(
        f"version: 3\nnetwork: {{type: tcp, address: '127.0.0.1:{plugin_port}'}}\n"
        "settings: {read: {interval: 100ms}, write: {interval: 100ms}}\nhealth: {healthFile: ''}\n")
    env.update(PLUGIN_CONFIG=str(directory / "config.yml"), PLUGIN_DEVICE_CONFIG=str(CLIENT_DEVICES))
    plugin = subprocess.Popen([str(BINARY)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(plugin)
        base = f"http://127.0.0.1:{metrics_port}"
        # Before any RPC or write: every family is there, its known series at 0.
        first_text = wait_for(lambda: scrape(base)[1])
        first = samples(first_text)
        assert {"synse_plugin_grpc_requests_total", "synse_plugin_grpc_request_seconds", "synse_plugin_read_pass_seconds",
                "synse_plugin_devices", "synse_plugin_read_streams", "synse_plugin_write_transactions_total"} <= set(families(first_text))
        for method in ("Metadata", "Read", "WriteSync", "ReadStream", "Transaction"):
            assert value(first, "synse_plugin_grpc_requests_total", method=method, code="OK") == 0, method
        assert value(first, "synse_plugin_write_transactions_total", status="DONE") == 0
        assert value(first, "synse_plugin_write_transactions_total", status="ERROR") == 0
        assert value(first, "synse_plugin_read_streams") == 0
        api = grpc_client.PluginClientV3(f"127.0.0.1:{plugin_port}", "tcp", timeout=10)
        api.metadata()
        assert len(list(api.read(device_id=LED))) == 2
        statuses = list(api.write_sync(device_id=LED, data=[{"action": "state", "data": b"on"}]))
        assert statuses[0].status == 3  # DONE
        parsed = samples(wait_for(lambda: scrape(base)[1]))
        assert value(parsed, "synse_plugin_grpc_requests_total", method="Metadata", code="OK") == 1
        assert value(parsed, "synse_plugin_grpc_requests_total", method="Read", code="OK") == 1
        assert value(parsed, "synse_plugin_grpc_requests_total", method="WriteSync", code="OK") == 1
        assert value(parsed, "synse_plugin_write_transactions_total", status="DONE") == 1
        assert value(parsed, "synse_plugin_devices") == 5
        assert value(parsed, "synse_plugin_read_pass_seconds_count") >= 1
        assert value(parsed, "process_resident_memory_bytes") > 0
        lint = subprocess.run(["promtool", "check", "metrics"], input=scrape(base)[1], capture_output=True, text=True)
        assert lint.returncode == 0, lint.stdout + lint.stderr
    finally:
        stop(plugin)


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


def parsed_samples(text):
    """[(name, labels dict, value)] of an exposition, as Prometheus' Python client reads it."""
    return [(s.name, dict(s.labels), s.value) for family in text_string_to_metric_families(text) for s in family.samples]


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


# docs/api-v3.md §10's families, with the `_total` the original's dashboards query.
SPEC_FAMILIES = {
    "synse_http_request_count_total": "counter", "synse_http_request_latency_sec": "histogram",
    "synse_http_response_bytes_total": "counter", "synse_websocket_request_count_total": "counter",
    "synse_websocket_request_latency_sec": "histogram", "synse_websocket_request_bytes_total": "counter",
    "synse_websocket_response_bytes_total": "counter", "synse_websocket_error_response_count_total": "counter",
    "synse_websocket_session_count": "gauge", "synse_grpc_message_sent_total": "counter",
    "synse_grpc_message_received_total": "counter", "synse_grpc_request_latency_sec": "histogram",
    "synse_plugin_active_state": "gauge", "synse_plugin_connect_count_total": "counter",
    "synse_plugin_disconnect_count_total": "counter", "synse_plugin_disabled": "gauge", "synse_registered_devices": "gauge",
}
SPEC_LINT = {
    "synse_grpc_request_latency_sec metric names should not contain abbreviated units",
    "synse_http_request_latency_sec metric names should not contain abbreviated units",
    "synse_websocket_request_latency_sec metric names should not contain abbreviated units",
    "synse_websocket_session_count non-histogram and non-summary metrics should not have \"_count\" suffix",
}


def families(text):
    """{name: type} of an exposition's TYPE lines."""
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))


def test_every_family_is_present_from_the_start(metered):
    """Before any WebSocket traffic and before any disconnect, every family is there with its
    HELP and TYPE, and the known plugin's counters are at 0, not missing."""
    base, _, _ = metered
    text = scrape(base)[1]
    types = families(text)
    assert {name: types.get(name) for name in SPEC_FAMILIES} == SPEC_FAMILIES
    assert set(types) <= set(re.findall(r"^# HELP (\S+) ", text, re.M))
    parsed = samples(text)
    assert not [name for name, _ in parsed if name.startswith("synse_websocket_")]  # families without samples yet
    assert value(parsed, "synse_plugin_connect_count_total", plugin=PLUGIN) == 1
    assert value(parsed, "synse_plugin_disconnect_count_total", plugin=PLUGIN) == 0
    assert value(parsed, "synse_registered_devices") == 5
    read = {family.name: family.type for family in text_string_to_metric_families(text)}
    assert read["synse_websocket_request_count"] == "counter" and read["synse_plugin_disconnect_count"] == "counter"
    lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert {line for line in (lint.stdout + lint.stderr).splitlines() if line.strip()} <= SPEC_LINT, lint.stdout + lint.stderr


def test_unknown_websocket_events_count_under_one_label(metered):
    """Client-chosen event names must not grow the label set: all unknown ones are counted
    as event="unknown", beside the known events' own series."""
    base, port, _ = metered
    unknown = [{"id": n, "event": f"request/garbage-{n}"} for n in range(20)] + [{"id": 99, "event": "response/status"}]

    async def websocket():
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{port}/v3/connect") as ws:
                for message in unknown + [{"id": 100, "event": "request/status"}]:
                    await ws.send_str(json.dumps(message))
                    await ws.receive()

    asyncio.new_event_loop().run_until_complete(websocket())
    parsed = samples(scrape(base)[1])
    events = {dict(labels)["event"] for name, labels in parsed if name == "synse_websocket_request_count_total"}
    assert events == {"unknown", "request/status"}
    assert value(parsed, "synse_websocket_request_count_total", event="unknown") == len(unknown)
    assert value(parsed, "synse_websocket_request_bytes_total", event="unknown") == sum(len(json.dumps(m)) for m in unknown)
    assert value(parsed, "synse_websocket_request_latency_sec_count", event="unknown") == len(unknown)
    assert value(parsed, "synse_websocket_error_response_count_total", event="response/error") == len(unknown)
    assert value(parsed, "synse_websocket_request_count_total", event="request/status") == 1


def readme_metric_names():
    """(server names, plugin-side names) given in backticks in the README's Metrics section."""
    section = (ROOT / "README.md").read_text().split("\n## Metrics\n", 1)[1].split("\n## ", 1)[0]
    plugin_part = section.split("\n- Plugins built on the SDK", 1)[1].split("\n- ", 1)[0]
    server_part = section.replace(plugin_part, "")

    def names(text):
        return set(re.findall(r"`((?:synse|process)_[a-z0-9_]+)`", text))
    return names(server_part), names(plugin_part)


def test_readme_names_exactly_the_exported_metrics():
    """The README's metric names are the ones a server exports with the emulator and the hwmon
    plugin (every reading family they produce), and the SDK's plugin-side families."""
    hwmon_port = free_port()
    hwmon = start_hwmon(copy_tree("server"), f"{{type: tcp, address: '127.0.0.1:{hwmon_port}'}}")
    server, base, _ = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_PLUGIN_TCP": f"127.0.0.1:{hwmon_port}",
                                    "SYNSE_METRICS_ENABLED": "true"})
    try:
        wait_for(lambda: len(get(base, "/v3/scan")[1]) == 29 + 64, timeout=30)
        exported = set(families(wait_for(lambda: (t := scrape(base)[1]) and "synse_device_frequency_hertz" in t and t)))
        documented, plugin_side = readme_metric_names()
        assert sorted(documented - exported) == [] and sorted(exported - documented) == []
    finally:
        stop(server)
        stop(hwmon)
    source = (ROOT / "Sources" / "SynseSDK" / "Metrics" / "PluginMetrics.swift").read_text()
    recorded = set(re.findall(r'label: "(synse_plugin_[a-z_]+)"', source))
    assert recorded and plugin_side == recorded
