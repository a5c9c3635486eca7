"""Shared by the interoperability tests: the binaries they start (real processes, never
mocks), the emulator's well-known IDs, HTTP calls and waiting. Fixtures are in conftest.py;
no test module imports from another (test_layout.py checks it)."""
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("SYNSETEST_EMULATOR_BIN", ROOT / ".build" / "debug" / "synse-emulator-plugin"))
SERVER = Path(os.environ.get("SYNSETEST_SERVER_BIN", ROOT / ".build" / "debug" / "synse-server"))
HWMON = Path(os.environ.get("SYNSETEST_HWMON_BIN", ROOT / ".build" / "debug" / "synse-hwmon-plugin"))
FIXTURES = ROOT / "Tests" / "Fixtures" / "sysfs"
CLIENT_DEVICES = ROOT / "plugins" / "emulator" / "config" / "client-integration" / "devices.yaml"

# The emulator's IDs with the client integration-test devices (docs/plugin-protocol.md §5.5).
LED = "f041883c-cf87-55d7-a978-3d3103836412"
TEMP1 = "9907bdfa-75e1-5af5-8385-87184f356b22"
PLUGIN = "4032ffbe-80db-5aa5-b794-f35c88dff85c"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_plugin(network, devices=None, extra="", write="{interval: 100ms}"):
    """Runs the emulator with a plugin config naming `network` and `settings.write`; returns
    (process, dir)."""
    directory = tempfile.mkdtemp(prefix="synse-interop-")
    config = Path(directory) / "config.yml"
    config.write_text(
        "version: 3\n"
        f"network: {network}\n"
        f"settings: {{read: {{interval: 100ms}}, write: {write}, cache: {{enabled: true, ttl: 1m}}}}\n"
        "health: {healthFile: ''}\n" + extra
    )
    env = dict(os.environ, PLUGIN_CONFIG=str(config))
    if devices:
        env["PLUGIN_DEVICE_CONFIG"] = str(devices)
    process = subprocess.Popen([str(BINARY)], env=env, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return process, directory


def wait_until_serving(process, timeout=20):
    deadline = time.time() + timeout
    lines = []
    while time.time() < deadline:
        line = process.stdout.readline().decode(errors="replace")
        if not line and process.poll() is not None:
            break
        lines.append(line)
        if "serving synse.V3Plugin" in line:
            # Keep reading so a chatty plugin never blocks on a full pipe; tests may look at
            # what it logged afterwards in `process.output`.
            process.output = []
            threading.Thread(target=lambda: [process.output.append(raw.decode(errors="replace")) for raw in process.stdout],
                             daemon=True).start()
            return
    process.kill()
    raise RuntimeError("plugin did not start:\n" + "".join(lines))


def start_emulator_at(port, devices=CLIENT_DEVICES):
    """The emulator serving on 127.0.0.1:`port` (fixed, so that a test can restart it there)."""
    process, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{port}'}}", devices)
    wait_until_serving(process)
    return process


def kill_and_notice(process, base):
    """Kills a plugin; a read of the emulator's LED makes the server notice at once."""
    process.kill()
    process.wait()
    assert get(base, f"/v3/read/{LED}")[0] == 500


class ServerWithPlugin:
    """A test's server and plugin processes (`self.server`, `self.plugin`) as a context manager:
    both stopped at the end, and the server must exit cleanly (0) from its graceful shutdown."""

    def __enter__(self):
        return self

    def __exit__(self, *_):
        stop(self.server)
        if self.plugin.poll() is None:
            stop(self.plugin)
        assert self.server.returncode == 0


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def start_server(plugin_env, extra_config="", log=None):
    """Runs synse-server; `log` is a file path that receives its output."""
    port = free_port()
    directory = tempfile.mkdtemp(prefix="synse-server-")
    config = Path(directory) / "config.yml"
    config.write_text("logging: info\npretty_json: false\ngrpc: {timeout: 5}\n" + extra_config)
    env = dict(os.environ, **plugin_env)
    output = open(log, "wb") if log else subprocess.DEVNULL
    process = subprocess.Popen([str(SERVER), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                               env=env, cwd=directory, stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: get(base, "/v3/scan")[0] == 200 and len(get(base, "/v3/scan")[1]) > 0, timeout=20)
    return process, base, port


def get(base, path):
    return request(base, path)


def request(base, path, method="GET", body=None, headers=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, raw
    except (urllib.error.URLError, ConnectionError):
        return 0, None


def wait_for(predicate, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
        except Exception:
            value = None
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def run(coroutine):
    return asyncio.new_event_loop().run_until_complete(coroutine)


def notify_listener():
    """A datagram socket standing in for systemd's NOTIFY_SOCKET: (socket, path)."""
    path = Path(tempfile.mkdtemp(prefix="notify-")) / "notify.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(path))
    listener.settimeout(20)
    return listener, path


def copy_tree(name):
    """A writable copy of the sysfs fixture tree `name` (writes change its files)."""
    target = Path(tempfile.mkdtemp(prefix="hwmon-tree-")) / name
    shutil.copytree(FIXTURES / name, target, symlinks=True)
    return target


def plugin_config(network):
    """A hwmon plugin config file naming `network` (or none); returns its path."""
    directory = Path(tempfile.mkdtemp(prefix="hwmon-plugin-"))
    (directory / "config.yml").write_text(
        "version: 3\n" + (f"network: {network}\n" if network else "")
        + "settings: {read: {interval: 200ms}, write: {interval: 100ms}}\nhealth: {healthFile: ''}\n")
    return directory / "config.yml"


def start_hwmon(root, network, **env):
    """Runs synse-hwmon-plugin on the sysfs tree `root`, output piped."""
    config = plugin_config(network)
    environment = dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=str(root), **env)
    return subprocess.Popen([str(HWMON)], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki():
    """Two CAs; a server/plugin certificate for 127.0.0.1 and localhost from each CA `a` and
    `b`, and a client certificate from CA `a`."""
    directory = Path(tempfile.mkdtemp(prefix="pki-"))
    (directory / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for ca in ("a", "b"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"ca-{ca}.key", "-out", f"ca-{ca}.pem",
                "-days", "2", "-subj", f"/CN=test CA {ca}", cwd=directory)
        for name in ("server", "client"):
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}-{ca}.key", "-out", f"{name}-{ca}.csr",
                    "-subj", f"/CN={name}", cwd=directory)
            openssl("x509", "-req", "-in", f"{name}-{ca}.csr", "-CA", f"ca-{ca}.pem", "-CAkey", f"ca-{ca}.key",
                    "-CAcreateserial", "-out", f"{name}-{ca}.pem", "-days", "2", "-extfile", "san.cnf", cwd=directory)
    return directory


# Metrics expositions (Prometheus text format).


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


def parsed_samples(text):
    """[(name, labels dict, value)] of an exposition, as Prometheus' Python client reads it."""
    return [(s.name, dict(s.labels), s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def families(text):
    """{name: type} of an exposition's TYPE lines."""
    return dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))


def otel_environment(receiver, protocol="grpc"):
    """OTEL_* variables exporting to an otlp_receiver.Receiver, with short export intervals."""
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
            "OTEL_METRIC_EXPORT_INTERVAL": "500", "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_BLRP_SCHEDULE_DELAY": "100"}


def device(base, info):
    """The scanned device whose info is `info`."""
    return next(d for d in get(base, "/v3/scan")[1] if d["info"] == info)


def spans_of(receiver, trace):
    """An otlp_receiver.Receiver's spans of one trace (hex ID)."""
    return [span for span in receiver.spans() if span["trace"] == trace]
