"""Runs inside `unshare -rm` (a private mount namespace) for test_hwmon_systemd.py:

  namespace_helper.py sd-device PLUGIN FIXTURE   bind FIXTURE on /sys, serve the plugin on a
                                                 Unix socket, print the devices' contexts
  namespace_helper.py journal PLUGIN FIXTURE     tmpfs on /run with a fake journald socket,
                                                 run the plugin's dry run, print the entries
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

mode, plugin, fixture = sys.argv[1:4]
work = Path(tempfile.mkdtemp(prefix="namespace-"))
config = work / "config.yml"

if mode == "sd-device":
    from synse_grpc import client

    subprocess.run(["mount", "--bind", fixture, "/sys"], check=True)
    address = work / "hwmon.sock"
    config.write_text(f"version: 3\nnetwork: {{type: unix, address: '{address}'}}\nhealth: {{healthFile: ''}}\n")
    env = dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT="/sys", SYSTEMD_DEVICE_VERIFY_SYSFS="0")
    process = subprocess.Popen([plugin], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if address.exists():
                break
            time.sleep(0.1)
        devices = client.PluginClientV3(str(address), "unix", timeout=10).devices()
        print(json.dumps([{"info": d.info, "context": dict(d.metadata)} for d in devices]))
    finally:
        process.terminate()
        process.wait(timeout=10)
elif mode == "journal":
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", "/run"], check=True)
    os.makedirs("/run/systemd/journal")
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    journal.bind("/run/systemd/journal/socket")
    journal.settimeout(5)
    config.write_text("version: 3\nnetwork: {type: tcp, address: '127.0.0.1:0'}\nhealth: {healthFile: ''}\n")
    stderr = open(work / "stderr", "wb")
    info = os.fstat(stderr.fileno())
    env = dict(os.environ, PLUGIN_CONFIG=str(config), HWMON_SYSFS_ROOT=fixture, JOURNAL_STREAM=f"{info.st_dev}:{info.st_ino}")
    process = subprocess.run([plugin, "--dry-run"], env=env, stdout=stderr, stderr=stderr, timeout=30)
    entries = []
    try:
        while True:
            entries.append(journal.recv(1 << 16).decode(errors="replace"))
            journal.settimeout(0.5)
    except socket.timeout:
        pass
    print(json.dumps({"exit": process.returncode, "entries": entries, "stderr": (work / "stderr").read_text()}))
