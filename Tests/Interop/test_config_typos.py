"""Bad command-line and config input gets a clear answer: an out-of-range `--port` stops the
server with exit 2 and one line (as the `port` key and SYNSE_PORT do), and a plugin config key
or PLUGIN_* variable the SDK does not read is warned about by name, once, even by --dry-run."""
import os
import subprocess
import time

import pytest

from helpers import BINARY, CLIENT_DEVICES, SERVER, free_port, get, stop, wait_for


@pytest.mark.parametrize("value", ["70000", "65536", "-1", "abc", "", "5000x"])
def test_server_refuses_a_port_flag_out_of_range(tmp_path, value):
    config = tmp_path / "config.yml"
    config.write_text("plugin: {embedded: []}\n")
    result = subprocess.run([str(SERVER), "--config", str(config), "--host", "127.0.0.1", "--port", value],
                            capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines == [f"synse-server: --port expects a port number 0-65535, got '{value}'"], result.stderr


def test_server_takes_port_flag_zero_and_the_whole_range(tmp_path):
    """0 asks for any free port (as the `port` key's 0 does); a high port is taken as given."""
    config = tmp_path / "config.yml"
    config.write_text("plugin: {embedded: []}\n")
    port = free_port()
    for value in ("0", str(port)):
        server = subprocess.Popen([str(SERVER), "--config", str(config), "--host", "127.0.0.1", "--port", value],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path)
        try:
            if value == "0":
                time.sleep(2)
                assert server.poll() is None, server.stderr.read().decode()
            else:
                assert wait_for(lambda: get(f"http://127.0.0.1:{port}", "/test")[0] == 200)
        finally:
            stop(server)


def test_plugin_dry_run_warns_once_per_unknown_key(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("version: 3\nnetwork: {type: tcp, adress: ':5001', address: ':5001'}\n"
                      "setings: {read: {interval: 2s}}\nsettings: {read: {intervall: 2s}}\n")
    env = dict(os.environ, PLUGIN_CONFIG=str(config), PLUGIN_DEVICE_CONFIG=str(CLIENT_DEVICES),
               PLUGIN_SETINGS_MODE="serial", PLUGIN_SETTINGS_MODE="serial")
    result = subprocess.run([str(BINARY), "--dry-run"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    warnings = [line for line in output.splitlines() if "it is ignored" in line]
    assert sorted(warnings) == sorted(line for line in warnings if "warning" in line.lower()), warnings
    named = {key: [line for line in warnings if f"'{key}'" in line] for key in
             ("network.adress", "setings", "settings.read.intervall", "PLUGIN_SETINGS_MODE")}
    assert all(len(lines) == 1 for lines in named.values()), warnings
    assert all(str(config) in named[key][0] for key in ("network.adress", "setings", "settings.read.intervall"))
    assert len(warnings) == 4, warnings
    assert "configuration and devices are valid" in output
