"""The README's two commands work for a newcomer: the run command from a fresh clone serves
devices, and both commands install what they need from one package list."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from helpers import BINARY, free_port

ROOT = Path(__file__).resolve().parents[2]


def readme_commands():
    """The commands of the README's first code block, without their comments."""
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def apt_packages(role):
    rows = [line.split("#", 1)[0].split() for line in (ROOT / "scripts" / "apt-packages.txt").read_text().splitlines()]
    return {row[0] for row in rows if len(row) >= 2 and (row[1] == role or role is None)}


def test_readme_opens_with_the_run_and_the_test_command():
    assert readme_commands() == ["scripts/run.sh", "scripts/test.sh"]
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec scripts/test.sh")


def test_every_system_library_is_installed_by_both_commands():
    providers = set()
    for group in re.findall(r"\.apt\(\[([^\]]*)\]\)", (ROOT / "Package.swift").read_text()):
        providers |= set(re.findall(r'"([^"]+)"', group))
    assert providers, "Package.swift names no apt providers: the check below would be empty"
    assert providers <= apt_packages("build"), f"not in scripts/apt-packages.txt as build: {providers - apt_packages('build')}"
    assert "scripts/bootstrap.sh build" in (ROOT / "scripts" / "run.sh").read_text()
    assert "scripts/bootstrap.sh test" in (ROOT / "scripts" / "test.sh").read_text()
    # The container's build stage installs the same build packages.
    build_stage = (ROOT / "Dockerfile").read_text().split("FROM debian", 1)[0]
    assert all(package in build_stage for package in apt_packages("build"))


def test_bootstrap_build_names_its_packages_and_installs_nothing_for_tests():
    result = subprocess.run([str(ROOT / "scripts" / "bootstrap.sh"), "build"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    for package in apt_packages("build"):
        assert package in line
    for package in apt_packages("test"):
        assert package not in line.split(), f"the run command would install a test-only package: {package}"
    bad = subprocess.run([str(ROOT / "scripts" / "bootstrap.sh"), "everything"], capture_output=True, text=True)
    assert bad.returncode == 2 and "usage" in bad.stderr


@pytest.mark.skipif(os.environ.get("SYNSETEST_FRESH_CLONE") != "1",
                    reason="a cold build of a fresh clone (15 min on 2 cores): scripts/test.sh sets SYNSETEST_FRESH_CLONE=1")
def test_readme_run_command_from_a_fresh_clone_serves_devices(tmp_path):
    """What CI's newcomer does: clone, run the README's first command, ask /v3/scan.

    A fresh clone builds from nothing (several minutes on two cores); the port comes from
    SYNSE_PORT so the command stays exactly the README's."""
    clone = tmp_path / "synse-swift"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=300)
    command = readme_commands()[0]
    port = free_port()
    log = open(tmp_path / "run.log", "wb")
    env = {key: value for key, value in os.environ.items() if not key.startswith("SYNSE_")}
    env["SYNSE_PORT"] = str(port)
    process = subprocess.Popen(["bash", "-c", command], cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.time() + 40 * 60
        devices = []
        while time.time() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/scan", timeout=5) as response:
                    devices = json.load(response)
                if devices:
                    break
            except OSError:
                pass
            time.sleep(2)
        output = (tmp_path / "run.log").read_text(errors="replace")
        assert devices, f"no devices on /v3/scan (exit {process.poll()}):\n{output[-4000:]}"
        assert len(devices) == 29 and {device["plugin"] for device in devices} == {"4032ffbe-80db-5aa5-b794-f35c88dff85c"}
        assert "bootstrap (build)" in output
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(clone / ".build", ignore_errors=True)


def test_a_plugin_says_which_config_file_it_took(tmp_path):
    """The README runs plugins from the repository root, where the server's config.yaml lies:
    the plugin takes ./config.yaml as its own (Go SDK search path), so it names the file."""
    (tmp_path / "config.yaml").write_text("version: 3\nnetwork: {type: tcp, address: '127.0.0.1:1'}\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PLUGIN_")}
    result = subprocess.run([str(BINARY), "--dry-run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    line = next(line for line in output.splitlines() if "loaded plugin config" in line)
    assert str(tmp_path / "config.yaml") in line or "./config.yaml" in line, line


def test_every_fixture_directory_survives_a_clone():
    # Git carries no empty directory: a test that passes in the working tree would see another
    # tree in CI's fresh clone (an empty libata port vanished and its siblings were renumbered).
    empty = [str(Path(d).relative_to(ROOT)) for d, subdirs, files in os.walk(ROOT / "Tests" / "Fixtures")
             if not subdirs and not files]
    assert empty == [], f"empty fixture directories (git drops them; add a file): {empty}"
