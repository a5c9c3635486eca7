"""The shipped systemd units work on a machine that has nothing of ours yet: every group a unit
names is created by the sysusers file shipped beside it (systemd-sysusers, the real tool)."""
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT_DIRECTORIES = [ROOT / "examples" / "deploying" / "systemd"]


def groups_named(directory):
    groups = set()
    for unit in list(directory.glob("*.service")) + list(directory.glob("*.socket")):
        for key, value in re.findall(r"^(SocketGroup|Group|SupplementaryGroups)=(.*)$", unit.read_text(), re.M):
            groups |= set(value.split())
    return groups


@pytest.mark.parametrize("directory", UNIT_DIRECTORIES, ids=lambda d: str(d.relative_to(ROOT)))
def test_every_group_the_units_name_is_created_by_the_sysusers_file(directory, tmp_path):
    wanted = groups_named(directory)
    assert wanted, f"no unit in {directory} names a group: this test would prove nothing"
    (tmp_path / "etc").mkdir()
    sysusers = directory / "synse-sysusers.conf"
    result = subprocess.run(["systemd-sysusers", f"--root={tmp_path}", "-"], stdin=sysusers.open(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    created = {line.split(":")[0] for line in (tmp_path / "etc" / "group").read_text().splitlines()}
    assert wanted <= created, f"groups named by units but not created: {wanted - created}"


def test_units_live_in_one_place():
    """Every systemd unit and sysusers file ships from examples/deploying/systemd/ only (a
    second copy beside a plugin drifted from it unnoticed)."""
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.split()
    units = [name for name in tracked if re.search(r"\.(service|socket|timer)$|sysusers.*\.conf$", name)]
    assert units and all(name.startswith("examples/deploying/systemd/") for name in units), units


def test_every_kubernetes_pod_turns_off_service_links():
    # Kubernetes injects {SERVICE}_PORT=tcp://… for every Service in the namespace: a Service
    # named synse-* or plugin-* would set SYNSE_*/PLUGIN_* variables our binaries read as config.
    import yaml
    pods = []
    for manifest in sorted((ROOT / "examples" / "deploying" / "kubernetes").glob("*.yaml")):
        for document in yaml.safe_load_all(manifest.read_text()):
            if document and document.get("kind") in ("Deployment", "DaemonSet", "StatefulSet", "Job"):
                pods.append((manifest.name, document["metadata"]["name"], document["spec"]["template"]["spec"]))
    assert pods, "no pod templates found"
    for manifest, name, spec in pods:
        assert spec.get("enableServiceLinks") is False, f"{manifest}: {name} lets Kubernetes inject service variables"
