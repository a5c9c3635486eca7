"""Where metrics go and how they are reached: their own port behind a token or basic auth,
StatsD, the SDK plugins' own /metrics, the example monitoring files, and the README's list
of metric names."""
import base64
import json
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers import (BINARY, CLIENT_DEVICES, LED, ROOT, copy_tree, families, free_port, get, samples, scrape,
                     start_hwmon, start_server, stop, value, wait_for, wait_until_serving)


def assert_refused(base, headers, scheme):
    """A missing or wrong credential gets 401, the challenge and the Synse JSON error body."""
    request = urllib.request.Request(base + "/metrics", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=15)
    error = refused.value
    assert error.code == 401 and error.headers["WWW-Authenticate"] == f'{scheme} realm="synse metrics"'
    assert error.headers["Content-Type"] == "application/json"
    body = json.loads(error.read())
    assert set(body) == {"http_code", "description", "timestamp", "context"}, body
    assert body["http_code"] == 401 and body["description"] == "Unauthorized" and "/metrics" in body["context"], body


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
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            assert_refused(other, headers, "Bearer")
        # The metrics port's other refusals are Synse errors too.
        assert get(other, "/nope")[1]["http_code"] == 404
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
        assert_refused(base, {}, "Basic")
        assert_refused(base, {"Authorization": "Basic " + base64.b64encode(b"prom:wrong").decode()}, "Basic")
        good = "Basic " + base64.b64encode(b"prom:pw").decode()
        get(base, "/test")
        status, text = scrape(base, {"Authorization": good})
        assert status == 200
        # metrics.ip_label on: the client address becomes a label.
        assert value(samples(text), "synse_http_request_count_total", method="GET", template="/test", endpoint="/test",
                     http_code="200", ip="127.0.0.1") == 1
    finally:
        stop(server)


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
