"""libsystemd where it needs a real /sys or journald: run in a private mount namespace
(`unshare -rm`), skipped where the machine does not allow one."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import FIXTURES, HWMON

HELPER = Path(__file__).with_name("namespace_helper.py")


def in_namespace(mode):
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -rm is not permitted here")
    result = subprocess.run(["unshare", "-rm", sys.executable, str(HELPER), mode, str(HWMON), str(FIXTURES / "server")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_sd_device_adds_subsystem_and_driver_where_sys_is_sysfs_like():
    devices = in_namespace("sd-device")
    assert len(devices) == 64
    package = next(d for d in devices if d["info"] == "Package id 0")
    assert package["context"]["subsystem"] == "platform" and package["context"]["driver"] == "coretemp"
    composite = next(d for d in devices if d["info"] == "Composite" and d["context"]["chip"] == "nvme-pci-3d00")
    assert composite["context"]["subsystem"] == "nvme"
    shunt = next(d for d in devices if d["context"]["chip"] == "ina226-i2c-1-40")
    assert shunt["context"]["subsystem"] == "i2c" and shunt["context"]["driver"] == "ina2xx"


def test_logs_go_to_the_journal_when_stderr_is_the_journal():
    outcome = in_namespace("journal")
    assert outcome["exit"] == 0
    assert outcome["stderr"] == ""  # nothing on stderr: every line went to the journal
    entries = [dict(line.split("=", 1) for line in entry.splitlines() if "=" in line) for entry in outcome["entries"]]
    dry_run = next(e for e in entries if e.get("MESSAGE", "").startswith("dry run"))
    assert dry_run["PRIORITY"] == "6" and dry_run["SYSLOG_IDENTIFIER"] == "synse-hwmon-plugin"
    assert dry_run["SYNSE_DEVICES"] == "64"
