"""Trace sampling (OTEL_TRACES_SAMPLER, issue 21), decided in front of swift-otel: under a ratio
each trace is recorded whole (the HTTP span, the plugin call, the plugin's own spans) or not at
all, the plugin following the server's decision from the `traceparent` flag; a caller's decision
is followed (parent-based); and the log lines of a trace that is not recorded still name it."""
import time
import urllib.request

import pytest

from helpers import (FIXTURES, device, free_port, get, otel_environment, request, spans_of, start_hwmon, start_server, stop, wait_for,
                     wait_until_serving)
from otlp_receiver import Receiver

HTTP = ("synse-server", "GET /v3/read/{device_id}")
WHOLE = {HTTP, ("synse-server", "synse.V3Plugin/Read"), ("synse-hwmon-plugin", "synse.V3Plugin/Read"),
         ("synse-hwmon-plugin", "read temperature")}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The hwmon plugin exporting with the default sampler (parent-based, always on); the server
    sampling half of its traces (parentbased_traceidratio, 0.5)."""
    receiver = Receiver("grpc")
    variables = otel_environment(receiver)
    port = free_port()
    hwmon = start_hwmon(FIXTURES / "server", f"{{type: tcp, address: '127.0.0.1:{port}'}}", PLUGIN_OTEL_ENABLED="true", **variables)
    log = tmp_path_factory.mktemp("otel-sampling") / "server.log"
    try:
        wait_until_serving(hwmon)
        server, base, _ = start_server(
            {"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}", "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.5",
             **variables}, extra_config="otel: {enabled: true}\n", log=str(log))
        wait_for(lambda: len(get(base, "/v3/plugin")[1]) == 1)
        yield receiver, base, log
        stop(server)
    finally:
        stop(hwmon)
        receiver.stop()


def read(base, path, traceparent=None):
    req = urllib.request.Request(base + path, headers={"traceparent": traceparent} if traceparent else {})
    with urllib.request.urlopen(req, timeout=10) as response:
        assert response.status == 200
        response.read()


def settle(receiver, base, path, trace):
    """Waits until a sampled request made now is whole at the receiver: each process exports its
    spans in the order they end, so everything before it has arrived too."""
    read(base, path, f"00-{trace}-00f067aa0ba902b7-01")
    wait_for(lambda: WHOLE <= {(s["service"], s["name"]) for s in spans_of(receiver, trace)}, timeout=20)
    time.sleep(0.5)


def test_a_ratio_records_each_trace_whole_or_not_at_all(stack):
    receiver, base, _ = stack
    path = f"/v3/read/{device(base, 'Package id 0')['id']}"
    for _ in range(60):
        read(base, path)
    sentinel = "6bf92f3577b34da6a3ce929d0e0e4738"
    settle(receiver, base, path, sentinel)
    spans = [s for s in receiver.spans() if s["trace"] != sentinel]
    recorded = {s["trace"] for s in spans if (s["service"], s["name"]) == HTTP}
    # Binomial(60, 0.5): outside 12..48 once in ten million runs.
    assert 12 <= len(recorded) <= 48, len(recorded)
    # The plugin records the reads the server did, and no others: it was told they were not.
    assert {s["trace"] for s in spans if s["name"] == "read temperature"} == recorded
    # Nor any span without its root in the server (whose own calls, such as its periodic
    # Devices, are traces of their own). A call the server made in the background may end, and
    # its client span be exported, after the sentinel's: such a root is waited for.
    def rooted(trace):
        return any(s["service"] == "synse-server" and not s["parent"] for s in spans_of(receiver, trace))
    plugin_traces = {s["trace"] for s in spans if s["service"] == "synse-hwmon-plugin"}
    try:
        wait_for(lambda: all(rooted(trace) for trace in plugin_traces), timeout=10)
    except AssertionError:
        pass  # named below, trace by trace
    for trace in plugin_traces:
        assert rooted(trace), spans_of(receiver, trace)
    for trace in recorded:
        assert {(s["service"], s["name"]) for s in spans_of(receiver, trace)} == WHOLE


def test_a_callers_decision_is_followed_and_unrecorded_traces_are_still_logged(stack):
    receiver, base, log = stack
    path = f"/v3/read/{device(base, 'Package id 0')['id']}"
    unsampled = "7bf92f3577b34da6a3ce929d0e0e4739"
    for _ in range(10):
        read(base, path, f"00-{unsampled}-00f067aa0ba902b7-00")
    status, _ = request(base, "/v3/write/wait/no-such-device", "POST", [{"action": "state", "data": "on"}],
                        headers={"traceparent": f"00-{unsampled}-00f067aa0ba902b7-00"})
    assert status == 404
    sampled = "8bf92f3577b34da6a3ce929d0e0e473a"
    settle(receiver, base, path, sampled)  # a sampled caller is followed, whatever the ratio
    assert spans_of(receiver, unsampled) == []
    # The refused write's log line names the trace it was not recorded in.
    wait_for(lambda: f"trace_id={unsampled}" in log.read_text())
    line = next(line for line in log.read_text().splitlines() if f"trace_id={unsampled}" in line)
    assert "write refused" in line and "trace_flags=0" in line, line


def test_an_argument_the_sampler_does_not_take_is_ignored_and_names_are_case_insensitive(stack):
    """OpenTelemetry "SDK environment variables": OTEL_TRACES_SAMPLER_ARG is for the samplers
    that take one; enum values are case-insensitive."""
    import os
    import subprocess
    from helpers import SERVER
    receiver, _, _ = stack
    port = free_port()
    environment = dict(os.environ, SYNSE_OTEL_ENABLED="true", SYNSE_PLUGIN_EMBEDDED="emulator", OTEL_TRACES_SAMPLER="ParentBased_Always_On",
                       OTEL_TRACES_SAMPLER_ARG="0.5", **otel_environment(receiver))
    server = subprocess.Popen([str(SERVER), "--port", str(port)], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: server.poll() is not None or (get(base, "/v3/scan")[0] == 200 and get(base, "/v3/scan")[1]), timeout=30)
        assert server.poll() is None, server.stderr.read().decode()
        trace = "9bf92f3577b34da6a3ce929d0e0e473b"
        temperature = next(d for d in get(base, "/v3/scan")[1] if d["type"] == "temperature")
        read(base, f"/v3/read/{temperature['id']}", f"00-{trace}-00f067aa0ba902b7-01")
        wait_for(lambda: any(s["name"] == "GET /v3/read/{device_id}" for s in spans_of(receiver, trace)), timeout=20)
    finally:
        stop(server)
    assert server.returncode == 0
