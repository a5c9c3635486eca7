"""synse-server under systemd's notification protocol: READY=1 once it listens and has its
devices, STATUS= with counts, watchdog pings, STOPPING=1 on SIGTERM."""
import signal

from helpers import SERVER, free_port, notify_listener, start_server, wait_for


def test_server_notifies_readiness_status_watchdog_and_stopping():
    listener, path = notify_listener()
    server, base, port = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "600000"})
    try:
        messages = [listener.recv(4096).decode()]
        ready = messages[0].splitlines()
        assert "READY=1" in ready, messages
        assert f"STATUS=serving on 127.0.0.1:{port}; plugins: 1 active of 1; devices: 29" in ready, ready
        messages.append(listener.recv(4096).decode())
        assert messages[-1] == "WATCHDOG=1"
        server.send_signal(signal.SIGTERM)
        while (message := listener.recv(4096).decode()) == "WATCHDOG=1":
            pass
        assert message == "STOPPING=1"
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            server.kill()
        listener.close()


def test_server_under_socket_activation_with_readiness():
    """systemd-socket-activate holds the listening socket, starts the server on the first
    connection and passes the socket as fd 3; the server answers on it and reports READY=1
    with its status line on NOTIFY_SOCKET."""
    import json
    import os
    import shutil
    import socket
    import subprocess
    import tempfile
    import urllib.request
    from pathlib import Path

    import pytest


    if shutil.which("systemd-socket-activate") is None:
        pytest.skip("systemd-socket-activate not installed")
    listener, path = notify_listener()
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="synse-activate-"))
    (directory / "config.yml").write_text("logging: info\npretty_json: false\nplugin: {embedded: [emulator]}\n")
    activator = subprocess.Popen(
        ["systemd-socket-activate", "-l", f"127.0.0.1:{port}", "-E", f"NOTIFY_SOCKET={path}",
         "--", str(SERVER), "--config", str(directory / "config.yml")],
        cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # The activator listens before the server exists: the first request starts it.
        def first_request():
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/test", timeout=20) as response:
                return json.loads(response.read())
        assert wait_for(lambda: first_request())["status"] == "ok"
        ready = listener.recv(4096).decode().splitlines()
        assert "READY=1" in ready and "STATUS=serving on socket fd 3; plugins: 1 active of 1; devices: 29" in ready, ready
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v3/scan", timeout=10) as response:
            assert len(json.loads(response.read())) == 29
        activator.send_signal(signal.SIGTERM)
        assert activator.wait(timeout=15) == 0
    finally:
        if activator.poll() is None:
            activator.kill()
        listener.close()
    log = activator.stdout.read().decode()
    assert "serving on the socket passed by systemd" in log and "fd=3" in log, log


def _start_on_taken_port(env, config):
    """Starts synse-server on a port another socket holds; returns (result, notify messages)."""
    import os
    import socket
    import subprocess
    import tempfile
    import time
    from pathlib import Path


    listener, path = notify_listener()
    listener.settimeout(0.5)
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    directory = Path(tempfile.mkdtemp(prefix="synse-taken-"))
    (directory / "config.yml").write_text("logging: info\npretty_json: false\n" + config)
    try:
        started = time.time()
        result = subprocess.run(
            [str(SERVER), "--config", str(directory / "config.yml"), "--host", "127.0.0.1", "--port", str(port)],
            env=dict(os.environ, NOTIFY_SOCKET=str(path), **env), cwd=directory, capture_output=True, timeout=10)
        # "At once": it used to hang on with the embedded emulator; 5 s allows a slow machine.
        assert time.time() - started < 5, "server did not exit at once"
        messages = []
        try:
            while True:
                messages.append(listener.recv(4096).decode())
        except socket.timeout:
            pass
        return result, port, messages
    finally:
        taken.close()
        listener.close()


def test_taken_port_exits_at_once_naming_the_address_without_announcing_readiness():
    """Embedded emulator (the README's config) and an external plugin address alike: exit 1
    within the 10 s timeout, the address in the error, and nothing sent to systemd that says
    ready or serving."""
    for env, config in [({}, "plugin: {embedded: [emulator]}\n"), ({"SYNSE_PLUGIN_TCP": "127.0.0.1:1"}, "")]:
        result, port, messages = _start_on_taken_port(env, config)
        assert result.returncode == 1, result
        assert f"cannot listen on 127.0.0.1:{port}: Address already in use".encode() in result.stderr, result.stderr
        assert not any("READY=1" in m or "STATUS=" in m for m in messages), messages


def test_unreachable_plugin_is_counted_in_status():
    """A configured plugin that never answers is one plugin, not zero: `0 active of 1`."""
    import socket

    listener, path = notify_listener()
    server, base, port = start_server({"SYNSE_PLUGIN_EMBEDDED": "emulator", "SYNSE_PLUGIN_TCP": f"127.0.0.1:{free_port()}",
                                       "NOTIFY_SOCKET": str(path)})
    try:
        ready = listener.recv(4096).decode().splitlines()
        assert "READY=1" in ready, ready
        assert f"STATUS=serving on 127.0.0.1:{port}; plugins: 1 active of 2; devices: 29" in ready, ready
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
        listener.close()
