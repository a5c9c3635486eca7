"""Fixtures of the interoperability tests: the real synse-emulator-plugin binary, alone or
behind a real synse-server. Helpers they share live in helpers.py."""
import tempfile
from pathlib import Path

import pytest

from helpers import CLIENT_DEVICES, free_port, start_plugin, start_server, stop, wait_until_serving


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


@pytest.fixture(params=["tcp", "unix"])
def stack(request):
    """(base URL, port) of a server talking to an emulator plugin process."""
    if request.param == "tcp":
        plugin_port = free_port()
        plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
        plugin_env = {"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}"}
    else:
        socket_path = Path(tempfile.mkdtemp(prefix="synse-sock-")) / "emulator.sock"
        plugin, _ = start_plugin(f"{{type: unix, address: '{socket_path}'}}", CLIENT_DEVICES)
        plugin_env = {"SYNSE_PLUGIN_UNIX": str(socket_path)}
    wait_until_serving(plugin)
    server, base, port = start_server(plugin_env)
    yield base, port
    stop(server)
    stop(plugin)
    assert server.returncode == 0, f"server exited with {server.returncode} on SIGTERM"


@pytest.fixture
def metered():
    """A server with metrics on (readings off, so scrapes add no gRPC traffic) and an
    external emulator over TCP; yields (base, port, plugin process)."""
    plugin_port = free_port()
    plugin, _ = start_plugin(f"{{type: tcp, address: '127.0.0.1:{plugin_port}'}}", CLIENT_DEVICES)
    wait_until_serving(plugin)
    server, base, port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{plugin_port}", "SYNSE_METRICS_ENABLED": "true",
                                       "SYNSE_METRICS_READINGS": "false"})
    yield base, port, plugin
    stop(server)
    stop(plugin)
    assert server.returncode == 0
