"""Bad command-line and config input gets a clear answer: an out-of-range `--port` stops the
server with exit 2 and one line (as the `port` key and SYNSE_PORT do)."""
import subprocess
import time

import pytest

from helpers import SERVER, free_port, get, stop, wait_for


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

