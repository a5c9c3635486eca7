"""synse-hwmon-plugin as a separate process: through synse-server's API, with systemd's
notification protocol, and under systemd-socket-activate."""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from synse_grpc import client

from helpers import (FIXTURES, HWMON, ROOT, copy_tree, free_port, get, notify_listener, plugin_config, request,
                     start_hwmon, start_server, stop, wait_for)


def test_server_scans_reads_and_writes_hwmon_devices():
    tree = copy_tree("server")
    port = free_port()
    plugin = start_hwmon(tree, f"{{type: tcp, address: '127.0.0.1:{port}'}}")
    server, base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"})
    try:
        devices = wait_for(lambda: (r := get(base, "/v3/scan")) and len(r[1]) == 64 and r[1])
        assert {d["type"] for d in devices} == {
            "temperature", "voltage", "fan", "pwm", "current", "power", "energy", "humidity", "intrusion", "frequency"}
        status, cores = get(base, "/v3/read?tags=hwmon/chip:coretemp-isa-0000")
        assert status == 200 and sorted(r["value"] for r in cores) == [37.0, 38.0, 39.0, 39.0, 40.0, 41.0, 41.0]
        assert {r["unit"]["symbol"] for r in cores} == {"C"}

        pwm3 = next(d for d in devices if d["type"] == "pwm" and d["info"] == "nct6798-isa-0a20 pwm3")
        status, info = get(base, f"/v3/info/{pwm3['id']}")
        assert status == 200 and {o["name"] for o in info["outputs"]} >= set() and info["capabilities"]["mode"] == "rw"
        duty_file = tree / "devices/platform/nct6775.2592/hwmon/hwmon5/pwm3"
        status, result = request(base, f"/v3/write/wait/{pwm3['id']}", "POST", {"action": "duty", "data": "25"})
        assert status == 200 and result[0]["status"] == "DONE", result
        assert duty_file.read_text().strip() == "64"
        status, result = request(base, f"/v3/write/wait/{pwm3['id']}", "POST", {"action": "pwm", "data": "abc"})
        assert status == 200 and result[0]["status"] == "ERROR" and "integer from 0 to 255" in result[0]["message"], result
        assert duty_file.read_text().strip() == "64"

        temp = next(d for d in devices if d["type"] == "temperature")
        status, result = request(base, f"/v3/write/wait/{temp['id']}", "POST", {"action": "pwm", "data": "1"})
        assert status == 405, (status, result)
    finally:
        stop(server)
        stop(plugin)
    assert plugin.returncode == 0


def test_readiness_watchdog_and_stopping_over_notify_socket():
    listener, path = notify_listener()
    port = free_port()
    plugin = start_hwmon(FIXTURES / "server", f"{{type: tcp, address: '127.0.0.1:{port}'}}",
                         NOTIFY_SOCKET=str(path), WATCHDOG_USEC="400000")
    try:
        messages = []
        deadline = time.time() + 20
        while time.time() < deadline and not ({"READY=1", "WATCHDOG=1"} <= {line for m in messages for line in m.splitlines()}):
            messages.append(listener.recv(4096).decode())
        ready = next(m for m in messages if "READY=1" in m)
        assert f"STATUS=serving 64 devices on [ipv4]127.0.0.1:{port}" in ready.splitlines(), ready
        assert any(m == "WATCHDOG=1" for m in messages)
        plugin.send_signal(signal.SIGTERM)
        while (message := listener.recv(4096).decode()) == "WATCHDOG=1":
            pass
        assert message == "STOPPING=1"
        assert plugin.wait(timeout=10) == 0
    finally:
        if plugin.poll() is None:
            plugin.kill()
        listener.close()


@pytest.mark.skipif(shutil.which("systemd-socket-activate") is None, reason="systemd-socket-activate not installed")
def test_socket_activation_serves_on_the_inherited_socket():
    directory = Path(tempfile.mkdtemp(prefix="activate-"))
    address = directory / "hwmon.sock"
    config = plugin_config(None)  # no network at all: the socket comes from systemd
    activator = subprocess.Popen(
        ["systemd-socket-activate", "-l", str(address), "-E", f"PLUGIN_CONFIG={config}",
         "-E", f"HWMON_SYSFS_ROOT={FIXTURES / 'server'}", "--", str(HWMON)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(address.exists)
        plugin = client.PluginClientV3(str(address), "unix", timeout=10)
        # The first connection makes the activator exec the plugin, which accepts it on fd 3.
        assert plugin.metadata().name == "hwmon"
        assert len(list(plugin.devices())) == 64
        assert plugin.test().ok
    finally:
        activator.send_signal(signal.SIGTERM)
        activator.wait(timeout=10)
    assert activator.returncode == 0
    log = activator.stdout.read().decode()
    assert "socket-activated fd 3" in log, log


def test_rescan_drops_and_restores_chips_with_the_same_ids():
    tree = copy_tree("server")
    address = Path(tempfile.mkdtemp(prefix="hwmon-rescan-")) / "hwmon.sock"
    config = plugin_config(f"{{type: unix, address: '{address}'}}")
    config.write_text(config.read_text() + "dynamicRegistration: {rescanInterval: 300ms}\n")
    process = subprocess.Popen([str(HWMON)], env=dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=str(tree)),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(address.exists)
        plugin = client.PluginClientV3(str(address), "unix", timeout=10)
        before = {d.id: d.info for d in plugin.devices()}
        assert len(before) == 64
        link = tree / "class/hwmon/hwmon9"  # sht3x: temp1 and humidity1
        target = os.readlink(link)
        link.unlink()
        after = wait_for(lambda: (ids := {d.id for d in plugin.devices()}) and len(ids) == 62 and ids)
        assert {before[i] for i in set(before) - after} == {"sht3x-i2c-1-44 temp1", "sht3x-i2c-1-44 humidity1"}
        os.symlink(target, link)
        wait_for(lambda: {d.id for d in plugin.devices()} == set(before))
    finally:
        stop(process)
    log = process.stdout.read().decode()
    assert "device rescan changed the device set" in log


def test_sample_config_is_valid():
    result = subprocess.run([str(HWMON), "--dry-run"], capture_output=True, text=True, timeout=30, env=dict(
        os.environ, PLUGIN_CONFIG=str(ROOT / "plugins/hwmon/config/config.yaml"), HWMON_SYSFS_ROOT=str(FIXTURES / "server")))
    assert result.returncode == 0, result.stderr
    # Its exclude keeps only the composite temperature of each NVMe drive.
    assert "devices=61" in result.stderr, result.stderr


def test_dry_run_accepts_odd_chip_names_on_every_bus():
    # A USB-C power supply named `ucsi_source_psy_USBC000:001` beside chips on every bus: exit 2
    # (`invalid tag`) before; now every chip becomes devices.
    config = plugin_config("{type: tcp, address: '127.0.0.1:0'}")
    result = subprocess.run([str(HWMON), "--dry-run"], capture_output=True, text=True, timeout=30, env=dict(
        os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=str(FIXTURES / "buses" / "boot1")))
    assert result.returncode == 0, result.stderr
    assert "devices=20" in result.stderr, result.stderr
