"""/metrics of the server itself: exact values after known traffic, every family from the start,
promtool's lint, unknown WebSocket events under one label, and a real Prometheus server
scraping synse-server."""
import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpers import PLUGIN, families, free_port, get, request, samples, scrape, value, wait_for


BUCKETS = ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"]


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
