"""synse-server under systemd's notification protocol: READY=1 once it listens and has its
devices, STATUS= with counts, watchdog pings, STOPPING=1 on SIGTERM."""
import signal

from test_hwmon_plugin import notify_listener
from test_server_http import start_server


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
