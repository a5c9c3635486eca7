"""synse-ipmi-plugin against OpenIPMI's ipmi_sim (Debian openipmi), behind a real synse-server:
one simulated BMC (Tests/Fixtures/ipmi) served as two endpoints, the right password on
127.0.0.1 and a wrong one on localhost, a UDP port nobody answers, and a twin simulator with the
same System GUID (its password file ends in CRLF). Every value, unit,
threshold and state is checked against FreeIPMI's own client, ipmi-sensors; power writes against
ipmitool chassis status."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from synse import client as synse_client

from helpers import ROOT, free_port, get, request, run, start_server, stop, wait_for
from redfish_peers import wait_for_log

IPMI = Path(os.environ.get("SYNSETEST_IPMI_BIN", ROOT / ".build" / "debug" / "synse-ipmi-plugin"))
FIXTURES = ROOT / "Tests" / "Fixtures" / "ipmi"
PASSWORD, WRONG = "secret", "wrong-never-logged"
# ipmi-sensors columns after ID, Name, Type, Reading, Units: LNR LC LNC UNC UC UNR (IPMI's),
# as Synse's model names them (docs/health.md).
KINDS = ("LowerFatal", "LowerCritical", "LowerCaution", "UpperCaution", "UpperCritical", "UpperFatal")
UNITS = {"C": "temperature", "V": "voltage", "RPM": "fan"}


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sim:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="ipmi-sim-"))
        state = self.dir / "state" / "ipmi_sim" / "sim"
        state.mkdir(parents=True)
        subprocess.run(["sdrcomp", "-8", "-o", str(state / "sdr.20.main"), str(FIXTURES / "sim.sdrs")], check=True)
        self.port, self.console = free_udp_port(), free_port()
        (self.dir / "lan.conf").write_text(f"""name "sim"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 {self.port}
    priv_limit admin
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "{FIXTURES}/chassis_control 0x20"
  user 2 true "admin" "{PASSWORD}" admin 10 none md2 md5 straight
console 127.0.0.1 {self.console}
""")
        # SIGPIPE ignored: ipmi_sim dies of it when a console client leaves before its prompt.
        self.process = subprocess.Popen(
            ["sh", "-c", f"trap '' PIPE; exec ipmi_sim -c lan.conf -f '{FIXTURES / 'sim.emu'}' -s state -n"],
            cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(lambda: self.sensors() is not None, timeout=20)

    def sensors(self):
        """ipmi-sensors rows by name, or None while the BMC does not answer."""
        cache = self.dir / "ipmi-sensors-cache"
        cache.mkdir(mode=0o700, exist_ok=True)
        done = subprocess.run(
            ["ipmi-sensors", "-h", f"127.0.0.1:{self.port}", "-u", "admin", "-p", PASSWORD, "-l", "admin", "-W", "opensesspriv",
             "--sdr-cache-directory", str(cache), "--output-sensor-thresholds", "--no-header-output",
             "--comma-separated-output", "--quiet-cache"], capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            return None
        return {row[1]: row for row in (line.split(",") for line in done.stdout.splitlines())}

    def command(self, text):
        with socket.create_connection(("127.0.0.1", self.console), timeout=5) as s:
            s.sendall(text.encode() + b"\n")
            time.sleep(0.2)
            s.recv(4096)

    def ipmitool_power(self):
        out = subprocess.run(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(self.port), "-U", "admin", "-P", PASSWORD,
                              "chassis", "status"], capture_output=True, text=True, timeout=30).stdout
        return next(line.split(":")[1].strip() for line in out.splitlines() if line.startswith("System Power"))

    def stop(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


class Fleet:
    pass


@pytest.fixture(scope="module")
def fleet():
    f = Fleet()
    f.sim, f.twin = Sim(), Sim()
    f.dead_port = free_udp_port()
    directory = Path(tempfile.mkdtemp(prefix="ipmi-plugin-"))
    (directory / "password").write_text(PASSWORD + "\n")
    (directory / "password-crlf").write_bytes(PASSWORD.encode() + b"\r\n")
    port = free_port()
    f.good, f.refused, f.dead = f"127.0.0.1:{f.sim.port}", f"localhost:{f.sim.port}", f"127.0.0.1:{f.dead_port}"
    f.twin_endpoint = f"127.0.0.1:{f.twin.port}"
    items = [
        f"{{host: 127.0.0.1, port: {f.sim.port}, username: admin, passwordFile: '{directory / 'password'}', timeout: 3s}}",
        f"{{host: localhost, port: {f.sim.port}, username: admin, password: '{WRONG}', timeout: 2s}}",
        f"{{host: 127.0.0.1, port: {f.dead_port}, username: admin, password: x, timeout: 1s}}",
        f"{{host: 127.0.0.1, port: {f.twin.port}, username: admin, passwordFile: '{directory / 'password-crlf'}', timeout: 3s}}",
    ]
    lines = "".join(f"    - {item}\n" for item in items)
    config = directory / "config.yml"
    config.write_text(
        "version: 3\n"
        f"network: {{type: tcp, address: '127.0.0.1:{port}'}}\n"
        "settings: {read: {interval: 1s}, write: {interval: 100ms}}\n"
        "health: {healthFile: ''}\n"
        f"dynamicRegistration:\n  rescanInterval: 2s\n  config:\n{lines}")
    f.log = directory / "plugin.log"
    env = dict(os.environ, PLUGIN_CONFIG=str(config), IPMI_SDR_CACHE_DIR=str(directory / "sdr"))
    with open(f.log, "ab") as output:
        f.plugin = subprocess.Popen([str(IPMI)], env=env, cwd=directory, stdout=output, stderr=subprocess.STDOUT)
    wait_for_log(f.plugin, f.log, "serving synse.V3Plugin", timeout=60)
    f.server, f.base, f.port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"})
    f.plugin_id = get(f.base, "/v3/plugin")[1][0]["id"]
    yield f
    stop(f.server)
    stop(f.plugin)
    f.sim.stop()
    f.twin.stop()


class Solo:
    """One simulator, a plugin of its own and a server, for tests that stop or kill them."""

    def __init__(self, timeout):
        self.sim = Sim()
        directory = Path(tempfile.mkdtemp(prefix="ipmi-solo-"))
        self.plugin_port = free_port()
        config = directory / "config.yml"
        config.write_text(
            "version: 3\n"
            f"network: {{type: tcp, address: '127.0.0.1:{self.plugin_port}'}}\n"
            "settings: {read: {interval: 1s}, write: {interval: 100ms}}\n"
            "health: {healthFile: ''}\n"
            "dynamicRegistration:\n  config:\n"
            f"    - {{host: 127.0.0.1, port: {self.sim.port}, username: admin, password: {PASSWORD}, timeout: {timeout}}}\n")
        self.log = directory / "plugin.log"
        env = dict(os.environ, PLUGIN_CONFIG=str(config), IPMI_SDR_CACHE_DIR=str(directory / "sdr"))
        with open(self.log, "ab") as output:
            self.plugin = subprocess.Popen([str(IPMI)], env=env, cwd=directory, stdout=output, stderr=subprocess.STDOUT)
        wait_for_log(self.plugin, self.log, "serving synse.V3Plugin", timeout=60)
        self.server, self.base, self.port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{self.plugin_port}"})
        by_info = {d["info"]: d for d in get(self.base, "/v3/scan")[1]}
        self.power, self.identify = by_info["Chassis power"], by_info["Chassis identify"]

    def close(self):
        stop(self.server)
        if self.plugin.poll() is None:
            stop(self.plugin)
        if self.sim.process.poll() is None:
            self.sim.process.send_signal(signal.SIGCONT)
            self.sim.stop()


def test_a_power_write_whose_bmc_dies_ends_error_naming_why_not_after_the_write_timeout():
    """The BMC dies while a power write waits for chassis status to show the change: the write
    and the one behind it in its lane end ERROR after a few failed status reads (timeout 1 s
    each), not after the 2-minute write timeout."""
    solo = Solo("1s")
    try:
        status, body = request(solo.base, f"/v3/write/wait/{solo.power['id']}", "POST", [{"action": "state", "data": "on"}])
        assert status == 200 and body[0]["status"] == "DONE", body
        (solo.sim.dir / "hold-power").touch()  # the chassis takes the next command and stays on
        started = time.monotonic()
        killer = threading.Timer(1.5, solo.sim.stop)
        killer.start()

        async def write():
            async with synse_client.HTTPClientV3("127.0.0.1", solo.port, timeout=180) as api:
                return await api.write_sync(solo.power["id"], [{"action": "state", "data": "off"}, {"action": "state", "data": "on"}])
        done = run(write())
        killer.join()
        elapsed = time.monotonic() - started
        assert [d.status for d in done] == ["ERROR", "ERROR"], [(d.status, d.message) for d in done]
        assert "Get Chassis Status failed 3 times in a row" in done[0].message and "whether power is off is unknown" in done[0].message, done[0].message
        assert "timed out" not in done[1].message, done[1].message
        assert elapsed < 45, elapsed
    finally:
        solo.close()


def test_sigterm_with_writes_to_a_stalled_bmc_stops_within_the_grace():
    """Writes waiting on a SIGSTOPped BMC (timeout 5 s) do not hold the plugin's stop beyond its
    5 s grace: the calls the BMC's thread was making are given up, not waited for."""
    solo = Solo("5s")
    try:
        solo.sim.process.send_signal(signal.SIGSTOP)
        for device, writes in ((solo.power, [{"action": "state", "data": "on"}, {"action": "state", "data": "off"}]),
                               (solo.identify, [{"action": "identify", "data": "3"}])):
            status, body = request(solo.base, f"/v3/write/{device['id']}", "POST", writes)
            assert status == 200 and len(body) == len(writes), (status, body)
        time.sleep(1)
        started = time.monotonic()
        solo.plugin.send_signal(signal.SIGTERM)
        # While it finishes what it took, the plugin still answers, and refuses new writes.
        wait_for(lambda: "finishing accepted writes" in solo.log.read_text(), timeout=3)
        status, body = request(solo.base, f"/v3/write/{solo.identify['id']}", "POST", [{"action": "state", "data": "off"}])
        assert status >= 500 and "the plugin is stopping" in body["context"], (status, body)
        code = solo.plugin.wait(timeout=60)
        elapsed = time.monotonic() - started
        assert code == 0, (code, solo.log.read_text()[-2000:])
        assert elapsed < 8, (elapsed, solo.log.read_text()[-2000:])
        assert "stopping with writes unfinished" in solo.log.read_text()
    finally:
        solo.close()


def devices(fleet):
    return [d for d in get(fleet.base, "/v3/scan?force=true")[1] if d["metadata"].get("endpoint") == fleet.good]


def test_every_sensor_equals_ipmi_sensors(fleet):
    rows = fleet.sim.sensors()
    by_info = {d["info"]: d for d in devices(fleet)}
    readings = {r["device"]: r for r in get(fleet.base, "/v3/read")[1]}
    assert set(rows) <= set(by_info), (sorted(rows), sorted(by_info))
    for name, row in rows.items():
        device = by_info[name]
        reading = readings[device["id"]]
        if row[4] == "N/A":  # discrete: the state text, as a status device
            assert device["type"] == "status", device
            assert f"'{reading['value']}'" == row[11], (name, reading)
            continue
        assert device["type"] == UNITS[row[4]], device
        assert abs(reading["value"] - float(row[3])) < 0.005, (name, reading, row)
        assert reading["unit"]["symbol"] == row[4], reading
        declared = json.loads(device["metadata"]["synse.thresholds"])
        levels = next(iter(declared.values()))
        for kind, text in zip(KINDS, row[5:11]):
            if text == "N/A":
                assert kind not in levels, (name, kind, levels)
            else:
                assert abs(levels[kind]["Reading"] - float(text)) < 0.005, (name, kind, levels)
    # Chassis power and identify as devices besides the five sensors.
    assert {"Chassis power", "Chassis identify"} <= set(by_info)


def test_ids_are_stable_across_a_plugin_restart_of_the_same_bmc(fleet):
    ids = {d["info"]: d["id"] for d in devices(fleet)}
    # The ID rests on the BMC's GUID and the sensor's number, not on the address it is reached at.
    assert len(set(ids.values())) == len(ids)
    assert all(len(i) == 36 for i in ids.values())


def test_health_names_the_refused_and_the_silent_bmc(fleet):
    def checks():
        return {c["name"]: c for c in get(fleet.base, f"/v3/plugin/{fleet.plugin_id}")[1]["health"]["checks"]}
    wait_for(lambda: all(checks()[f"ipmi {e}"]["status"] != "OK" for e in (fleet.refused, fleet.dead)), timeout=30)
    current = checks()
    refused, dead = current[f"ipmi {fleet.refused}"], current[f"ipmi {fleet.dead}"]
    assert fleet.refused in refused["message"] and "password invalid" in refused["message"], refused
    assert WRONG not in refused["message"]
    assert fleet.dead in dead["message"] and "timeout" in dead["message"], dead
    assert current[f"ipmi {fleet.good}"]["status"] == "OK", current


def test_a_twin_with_the_same_guid_is_refused_by_name_and_the_first_keeps_its_devices(fleet):
    checks = {c["name"]: c for c in get(fleet.base, f"/v3/plugin/{fleet.plugin_id}")[1]["health"]["checks"]}
    twin = checks[f"ipmi {fleet.twin_endpoint}"]
    # Logged in (the CRLF password file lost only its line end), then refused for the GUID.
    assert twin["status"] != "OK" and "System GUID" in twin["message"] and fleet.good in twin["message"], twin
    assert "password" not in twin["message"], twin
    endpoints = {d["metadata"].get("endpoint") for d in get(fleet.base, "/v3/scan?force=true")[1]}
    assert fleet.good in endpoints and fleet.twin_endpoint not in endpoints, endpoints


def test_a_stalled_bmc_does_not_delay_the_others(fleet):
    cpu = next(d for d in devices(fleet) if d["info"] == "CPU Temp")
    fleet.twin.process.send_signal(signal.SIGSTOP)
    try:
        fleet.sim.command("sensor_set_value 0x20 0 1 61 0")
        started = time.monotonic()
        wait_for(lambda: get(fleet.base, f"/v3/read/{cpu['id']}")[1][0]["value"] == 61, timeout=20)
        # Read every second; the stalled twin's 3 s timeout must not stand in the way.
        assert time.monotonic() - started < 6
    finally:
        fleet.twin.process.send_signal(signal.SIGCONT)
        fleet.sim.command("sensor_set_value 0x20 0 1 45 0")


def test_a_value_past_upper_critical_raises_the_alarm_and_clears(fleet):
    cpu = next(d for d in devices(fleet) if d["info"] == "CPU Temp")

    def alarm():
        return [a for a in get(fleet.base, "/v3/alarms")[1] if a["device"] == cpu["id"]]
    fleet.sim.command("sensor_set_value 0x20 0 1 97 0")
    try:
        wait_for(lambda: alarm() and alarm()[0]["severity"] == "critical", timeout=20)
    finally:
        fleet.sim.command("sensor_set_value 0x20 0 1 45 0")
    wait_for(lambda: not alarm(), timeout=20)


def test_power_writes_end_done_and_ipmitool_agrees(fleet):
    power = next(d for d in devices(fleet) if d["info"] == "Chassis power")

    async def write(state):
        async with synse_client.HTTPClientV3("127.0.0.1", fleet.port, timeout=60) as api:
            return (await api.write_sync(power["id"], {"action": "state", "data": state}))[0]
    for state, shown in (("on", "on"), ("off", "off")):
        done = run(write(state))
        assert done.status == "DONE", (state, done)
        assert fleet.sim.ipmitool_power() == shown, state
    # A cycle of an off chassis is refused at once (IPMI 2.0 §28.3), not left to time out.
    refused = run(write("cycle"))
    assert refused.status == "ERROR" and "chassis power is off" in refused.message, refused
    for state, shown in (("on", "on"), ("cycle", "on")):
        done = run(write(state))
        assert done.status == "DONE", (state, done)
        assert fleet.sim.ipmitool_power() == shown, state
    # More writes than the plugin's queue holds: refused whole with 503, the plugin stays active.
    status, body = request(fleet.base, f"/v3/write/wait/{power['id']}", "POST", [{"action": "state", "data": "on"}] * 200)
    assert status == 503 and "more than the write queue holds (128)" in body["context"], (status, body)
    assert get(fleet.base, f"/v3/plugin/{fleet.plugin_id}")[1]["active"] is True
    status, body = request(fleet.base, f"/v3/write/wait/{power['id']}", "POST", [])
    assert status == 400 and body["context"] == "invalid json: the list of write objects is empty", (status, body)
    status, body = request(fleet.base, f"/v3/write/wait/{power['id']}", "POST", [{"action": "state", "data": "sideways"}])
    assert status == 200 and body[0]["status"] == "ERROR" and "sideways" in body[0]["message"], body


def test_identify_writes_end_done_and_reach_the_chassis(fleet):
    identify = next(d for d in devices(fleet) if d["info"] == "Chassis identify")
    record = fleet.sim.dir / "identify"

    async def write(action, data):
        async with synse_client.HTTPClientV3("127.0.0.1", fleet.port, timeout=60) as api:
            return (await api.write_sync(identify["id"], {"action": action, "data": data}))[0]
    # ipmi_sim answers a Chassis Identify with bytes from its buffer after the completion code;
    # ipmitool takes that as done, and so must the plugin. What reached the chassis is in the
    # chassis program's record, "interval force" (IPMI 2.0 §28.5).
    for action, data, expected in (("identify", "7", "7 0"), ("state", "on", "0 1"), ("state", "off", "0 0")):
        record.unlink(missing_ok=True)
        started = time.monotonic()
        done = run(write(action, data))
        assert done.status == "DONE", (action, data, done)
        # Answered at once, not after the session timeout (3 s) a dropped answer would cost.
        assert time.monotonic() - started < 2.5, (action, data)
        wait_for(lambda: record.exists() and record.read_text().strip() == expected, timeout=5)
    record.unlink(missing_ok=True)
    out = subprocess.run(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(fleet.sim.port), "-U", "admin", "-P", PASSWORD,
                          "chassis", "identify", "3"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out
    wait_for(lambda: record.exists() and record.read_text().strip() == "3 0", timeout=5)
    # ipmi_sim's chassis status does not report the identify state, and neither does the device.
    status = subprocess.run(["ipmitool", "-I", "lanplus", "-H", "127.0.0.1", "-p", str(fleet.sim.port), "-U", "admin", "-P", PASSWORD,
                             "chassis", "status"], capture_output=True, text=True, timeout=30).stdout
    assert "Chassis Identify State" not in status, status
    assert get(fleet.base, f"/v3/read/{identify['id']}")[1] == []
    done = run(write("identify", "0"))
    assert done.status == "ERROR" and "1 to 255" in done.message, done


@pytest.mark.parametrize("case", ["under a file", "duplicate key", "relative password file", "twice", "a bad item after a good one",
                                  "NUL in the password", "NUL in the host"])
def test_startup_refusals_name_their_cause(case, tmp_path):
    """Refused at startup with exit code 2 and one line naming the cause, before any BMC is asked."""
    (tmp_path / "file").write_text("x")
    item = "{host: 127.0.0.1, username: admin, password: x}"
    extra = ""
    cache = tmp_path / "sdr"
    if case == "under a file":
        cache, expected = tmp_path / "file" / "sdr", "key 'IPMI_SDR_CACHE_DIR': cannot create the SDR cache directory"
    elif case == "duplicate key":
        item, expected = "{host: 127.0.0.1, username: admin, password: x, HOST: other}", "'HOST' is given twice"
    elif case == "twice":
        extra, expected = "    - {host: 127.0.0.1, port: 623, username: other, password: other-pw}\n", "is already dynamicRegistration.config[0]"
    elif case == "NUL in the password":
        # YAML's "\0" is a NUL, which FreeIPMI's C strings would cut the password at.
        item, expected = '{host: 127.0.0.1, username: admin, password: "sec\\0ret"}', "key 'dynamicRegistration.config[0].password': contains a NUL"
    elif case == "NUL in the host":
        item, expected = '{host: "127.0.0.1\\0zz", username: admin, password: x}', "key 'dynamicRegistration.config[0].host': contains a NUL"
    elif case == "a bad item after a good one":
        extra, expected = "    - {host: 127.0.0.2, username: admin}\n", "dynamicRegistration.config[1]"
    else:
        item, expected = "{host: 127.0.0.1, username: admin, passwordFile: missing-pw}", f"cannot read 'missing-pw' ({tmp_path}/missing-pw): no such file"
    config = tmp_path / "config.yml"
    config.write_text(f"version: 3\nnetwork: {{type: tcp, address: '127.0.0.1:{free_port()}'}}\ndynamicRegistration:\n  config:\n    - {item}\n{extra}")
    env = dict(os.environ, PLUGIN_CONFIG=str(config), IPMI_SDR_CACHE_DIR=str(cache))
    done = subprocess.run([str(IPMI)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and expected in done.stdout + done.stderr, (done.returncode, done.stdout, done.stderr)
    # Refused before any BMC was asked: no first poll was waited for (items are checked first).
    assert "first poll" not in done.stdout + done.stderr, done.stdout + done.stderr
    if case == "under a file":
        assert "is not a directory" in done.stdout + done.stderr

