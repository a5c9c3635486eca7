"""Starts the real synse-emulator-plugin binary for the interoperability tests."""
import os
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("SYNSE_EMULATOR_BIN", ROOT / ".build" / "debug" / "synse-emulator-plugin"))
CLIENT_DEVICES = ROOT / "plugins" / "emulator" / "config" / "client-integration" / "devices.yaml"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_plugin(network, devices=None, extra=""):
    """Runs the emulator with a plugin config naming `network`; returns (process, dir)."""
    directory = tempfile.mkdtemp(prefix="synse-interop-")
    config = Path(directory) / "config.yml"
    config.write_text(
        "version: 3\n"
        f"network: {network}\n"
        "settings: {read: {interval: 100ms}, write: {interval: 100ms}, cache: {enabled: true, ttl: 1m}}\n"
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


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


@pytest.fixture(params=["tcp", "unix"])
def plugin_address(request):
    """(address, protocol) of a running emulator with the client integration-test devices."""
    if request.param == "tcp":
        port = free_port()
        process, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{port}'}}", CLIENT_DEVICES)
        address = f"127.0.0.1:{port}"
    else:
        socket_path = Path(tempfile.mkdtemp(prefix="synse-sock-")) / "emulator.sock"
        process, _ = start_plugin(f"{{type: unix, address: '{socket_path}'}}", CLIENT_DEVICES)
        address = str(socket_path)
    wait_until_serving(process)
    yield address, request.param
    stop(process)
    assert process.returncode == 0, f"plugin exited with {process.returncode} on SIGTERM"
    if request.param == "unix":
        assert not Path(address).exists(), "socket file left behind after shutdown"
