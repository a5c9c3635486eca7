"""synse-snmp-plugin against snmpsim serving recordings of real devices (snmpsim-data, laid out
by Tests/Fixtures/snmp/prepare.py), behind a real synse-server: an Eaton UPS (UPS-MIB), an APC
AP8641 PDU (24 outlets; a writable copy for switching), a Geist climate monitor and a Palo Alto
firewall's ENTITY-SENSOR table, over SNMPv2c and SNMPv3 authPriv; a wrong community, a wrong
v3 key and a UDP port nobody answers. Every value is checked against net-snmp's own snmpget
of the profile's OIDs, scaled as the profile says."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from synse import client as synse_client

from helpers import ROOT, free_port, get, run, start_server, stop, wait_for
from redfish_peers import wait_for_log

SNMP = Path(os.environ.get("SYNSETEST_SNMP_BIN", ROOT / ".build" / "debug" / "synse-snmp-plugin"))
PROFILES = {p["name"]: p for p in (yaml.safe_load(f.read_text()) for f in (ROOT / "plugins/snmp/config/profiles").glob("*.yaml"))}
USER, AUTH, PRIV = "synse", "synse-auth-key", "synse-priv-key"
WRONG_KEY = "not-the-watcher-key"
# One snmpsim endpoint per target: the device identity is the target's address (and context).
TARGETS = {
    "ups": ("eaton-93e-80", "ups-mib"),
    "pdu": ("apc-8641", "apc-rpdu2"),
    "pdu-rw": ("apc-8641-rw", "apc-rpdu2"),
    "geist": ("geist", "geist"),
    "entity": ("paloalto", "entity-sensor"),
}


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snmpget(port, community, oid):
    """net-snmp's snmpget: the raw value text, or None for an exception (noSuchInstance …)."""
    out = subprocess.run(["snmpget", "-v2c", "-c", community, "-On", "-Oqv", "-Oe", f"127.0.0.1:{port}", oid],
                         capture_output=True, text=True, timeout=10).stdout.strip().strip('"')
    return None if not out or out.startswith("No Such") else out


def drifting(community):
    """OIDs snmpsim varies by design (`:numeric` records): checked by range, not equality."""
    text = (Path(os.environ["SNMPSIM_DATA"]) / f"{community}.snmprec").read_text()
    return {line.split("|")[0] for line in text.splitlines() if "|2:numeric" in line}


class Fleet:
    pass


@pytest.fixture(scope="module")
def fleet():
    f = Fleet()
    f.dir = Path(tempfile.mkdtemp(prefix="snmp-plugin-"))
    data = f.dir / "data"
    subprocess.run([sys.executable, str(ROOT / "Tests/Fixtures/snmp/prepare.py"), str(data)], check=True)
    os.environ["SNMPSIM_DATA"] = str(data)
    f.ports = {name: free_udp_port() for name in [*TARGETS, "v3", "wrong-community", "wrong-key"]}
    f.dead_port = free_udp_port()
    f.sim = subprocess.Popen(
        [str(Path(sys.executable).parent / "snmpsim-command-responder"), f"--data-dir={data}", f"--cache-dir={f.dir / 'cache'}"]
        + [f"--agent-udpv4-endpoint=127.0.0.1:{p}" for p in f.ports.values()]
        + [f"--v3-user={USER}", f"--v3-auth-key={AUTH}", "--v3-auth-proto=SHA", f"--v3-priv-key={PRIV}", "--v3-priv-proto=AES",
           "--v3-user=watcher", "--v3-auth-key=watcher-auth-key", "--v3-auth-proto=SHA256"],
        env=dict(os.environ, SNMPSIM_ALLOW_ROOT="true"), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_for(lambda: snmpget(f.ports["geist"], "geist", "1.3.6.1.2.1.1.2.0"), timeout=60)
    items = [f"{{address: '127.0.0.1:{f.ports[name]}', community: {community}}}" for name, (community, _) in TARGETS.items()]
    items[TARGETS.__len__() - 1] = f"{{address: '127.0.0.1:{f.ports['entity']}', community: paloalto, profile: entity-sensor}}"
    items += [
        f"{{address: '127.0.0.1:{f.ports['v3']}', version: v3, user: {USER}, authProtocol: SHA, authKey: {AUTH}, "
        f"privProtocol: AES, privKey: {PRIV}, contextName: apc-8641}}",
        f"{{address: '127.0.0.1:{f.ports['wrong-community']}', community: not-a-recording, timeout: 1s, retries: 0}}",
        f"{{address: '127.0.0.1:{f.ports['wrong-key']}', version: v3, user: watcher, authProtocol: SHA256, authKey: {WRONG_KEY}, "
        "contextName: geist, timeout: 1s}",
        f"{{address: '127.0.0.1:{f.dead_port}', community: public, timeout: 3s, retries: 1}}",
    ]
    f.plugin_port = free_port()
    lines = "".join(f"    - {item}\n" for item in items)
    f.config = f.dir / "config.yml"
    f.config.write_text(
        "version: 3\n"
        f"network: {{type: tcp, address: '127.0.0.1:{f.plugin_port}'}}\n"
        "settings: {read: {interval: 1s}, write: {interval: 100ms}}\n"
        "health: {healthFile: ''}\n"
        f"dynamicRegistration:\n  rescanInterval: 2s\n  config:\n{lines}")
    f.log = f.dir / "plugin.log"
    f.plugin = start_plugin(f)
    f.server, f.base, f.port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{f.plugin_port}"})
    f.plugin_id = get(f.base, "/v3/plugin")[1][0]["id"]
    yield f
    stop(f.server)
    stop(f.plugin)
    f.sim.kill()
    f.sim.wait()


def start_plugin(f):
    with open(f.log, "ab") as output:
        process = subprocess.Popen([str(SNMP)], env=dict(os.environ, PLUGIN_CONFIG=str(f.config)), cwd=f.dir, stdout=output, stderr=subprocess.STDOUT)
    wait_for_log(process, f.log, "serving synse.V3Plugin", timeout=60)
    return process


def devices(fleet, target):
    endpoint = f"127.0.0.1:{fleet.ports[target]}"
    return [d for d in get(fleet.base, "/v3/scan?force=true")[1] if d["metadata"].get("endpoint") == endpoint]


def spec(profile, key):
    return next(d for d in PROFILES[profile]["devices"] if d["key"] == key.split(".")[0])


def expected(fleet, target, device):
    """The device's value from snmpget of its profile OID, scaled and mapped as the profile says."""
    community, profile = TARGETS[target]
    key = device["metadata"]["key"]
    entry = spec(profile, key)
    index = key.split(".", 1)[1] if "." in key else None
    oid = f"{entry['value']}.{index}" if index else str(entry["value"])
    raw = snmpget(fleet.ports[target], community, oid)
    if raw is None:
        return oid, None
    if "states" in entry:
        return oid, entry["states"].get(int(raw), raw)
    if entry.get("entitySensor"):
        return oid, raw
    return oid, float(raw) * entry.get("scale", 1)


@pytest.mark.parametrize("target", list(TARGETS))
def test_every_device_equals_snmpget_scaled_by_its_profile(fleet, target):
    found = devices(fleet, target)
    assert found, target
    varies = drifting(TARGETS[target][0])
    readings = {r["device"]: r for r in get(fleet.base, "/v3/read")[1]}
    for device in found:
        oid, value = expected(fleet, target, device)
        reading = readings.get(device["id"])
        if value is None:
            assert reading is None, (device, reading)
            continue
        assert reading is not None, device
        if spec(TARGETS[target][1], device["metadata"]["key"]).get("entitySensor"):
            continue  # scale and precision per row: test_entity_sensor_rows
        if oid in varies:
            assert 0 <= reading["value"] <= 300, (device, reading)
        elif isinstance(value, float):
            assert reading["value"] == pytest.approx(value, rel=1e-9), (device, reading, value)
        else:
            assert reading["value"] == value, (device, reading, value)


def test_the_pdu_has_24_named_metered_switched_outlets(fleet):
    found = devices(fleet, "pdu")
    names = subprocess.run(["snmpwalk", "-v2c", "-c", "apc-8641", "-Oqv", f"127.0.0.1:{fleet.ports['pdu']}", "1.3.6.1.4.1.318.1.1.26.9.4.3.1.3"],
                           capture_output=True, text=True, timeout=10).stdout.split("\n")
    names = [n.strip('"') for n in names if n]
    assert len(names) == 24
    by_key = {d["metadata"]["key"]: d for d in found}
    for outlet, name in enumerate(names, 1):
        for kind, device_type, unit in (("current", "current", "A"), ("power", "power", "W"), ("energy", "energy", "kWh")):
            device = by_key[f"outlet-{kind}.{outlet}"]
            assert device["type"] == device_type and name in device["info"], device
            reading = get(fleet.base, f"/v3/read/{device['id']}")[1][0]
            assert reading["unit"]["symbol"] == unit, reading
        switch = by_key[f"outlet-switch.{outlet}"]
        assert switch["type"] == "power" and name in switch["info"], switch
    # The PDU's overload thresholds (PowerNet-MIB rPDU2PhaseConfig…) are the phase's thresholds.
    phase = by_key["phase-current.1"]
    declared = json.loads(phase["metadata"]["synse.thresholds"])
    levels = next(iter(declared.values()))
    assert levels["UpperCaution"]["Reading"] == 19 and levels["UpperCritical"]["Reading"] == 24, levels


def test_types_and_units_of_the_ups_geist_and_entity_sensors(fleet):
    ups = {d["metadata"]["key"]: d for d in devices(fleet, "ups")}
    reading = get(fleet.base, f"/v3/read/{ups['battery-runtime']['id']}")[1][0]
    assert reading["value"] == 1092 and reading["unit"]["symbol"] == "min", reading
    source = get(fleet.base, f"/v3/read/{ups['output-source']['id']}")[1][0]
    assert source["type"] == "status" and source["value"] == "normal", source
    geist = {d["metadata"]["key"]: d for d in devices(fleet, "geist")}
    temperature = get(fleet.base, f"/v3/read/{geist['internal-temperature.1']['id']}")[1][0]
    assert temperature["unit"]["symbol"] == "C" and 10 <= temperature["value"] <= 30, temperature
    entity = {d["metadata"]["key"]: d for d in devices(fleet, "entity")}
    fan = get(fleet.base, f"/v3/read/{entity['sensor.2']['id']}")[1][0]
    assert entity["sensor.2"]["type"] == "fan" and fan["value"] == 4618 and fan["unit"]["symbol"] == "RPM", fan
    assert entity["sensor.12"]["info"] == "Temperature @ 10G Phys [U171]"


def test_snmpv3_authpriv_reads_what_v2c_reads(fleet):
    v2c = {d["metadata"]["key"]: d for d in devices(fleet, "pdu")}
    v3 = {d["metadata"]["key"]: d for d in devices(fleet, "v3")}
    assert set(v3) == set(v2c)
    readings = {r["device"]: r["value"] for r in get(fleet.base, "/v3/read")[1]}
    assert readings[v3["phase-voltage.1"]["id"]] == readings[v2c["phase-voltage.1"]["id"]] == 201


def test_an_outlet_switched_off_through_the_api_reads_back_off(fleet):
    outlet = next(d for d in devices(fleet, "pdu-rw") if d["metadata"]["key"] == "outlet-switch.5")

    async def write(state):
        async with synse_client.HTTPClientV3("127.0.0.1", fleet.port, timeout=60) as api:
            return (await api.write_sync(outlet["id"], {"action": "state", "data": state}))[0]
    control = "1.3.6.1.4.1.318.1.1.26.9.2.4.1.5.5"
    for state, raw in (("off", "2"), ("on", "1")):
        done = run(write(state))
        assert done.status == "DONE", (state, done.status, done.message)
        assert snmpget(fleet.ports["pdu-rw"], "apc-8641-rw", control) == raw, state
        wait_for(lambda: get(fleet.base, f"/v3/read/{outlet['id']}")[1][0]["value"] == state, timeout=10)
    refused = run(write("sideways"))
    assert refused.status == "ERROR" and "sideways" in refused.message and "off, on, reboot" in refused.message, refused
    # A reboot has no end state to confirm: done once the PDU took the SET (snmpsim keeps the 3).
    done = run(write("REBOOT"))
    assert done.status == "DONE", (done.status, done.message)
    assert snmpget(fleet.ports["pdu-rw"], "apc-8641-rw", control) == "3"
    run(write("on"))
    # The read-only recording refuses the SET: the write ends in ERROR naming the agent.
    readonly = next(d for d in devices(fleet, "pdu") if d["metadata"]["key"] == "outlet-switch.5")

    async def write_readonly():
        async with synse_client.HTTPClientV3("127.0.0.1", fleet.port, timeout=60) as api:
            return (await api.write_sync(readonly["id"], {"action": "state", "data": "off"}))[0]
    failed = run(write_readonly())
    assert failed.status == "ERROR" and f"127.0.0.1:{fleet.ports['pdu']}" in failed.message, failed


def test_health_names_the_wrong_community_the_wrong_key_and_the_silent_target(fleet):
    def checks():
        return {c["name"]: c for c in get(fleet.base, f"/v3/plugin/{fleet.plugin_id}")[1]["health"]["checks"]}
    # A v3 target with a context is named with it: one agent may serve several contexts.
    bad = {"wrong-community": f"127.0.0.1:{fleet.ports['wrong-community']}", "wrong-key": f"127.0.0.1:{fleet.ports['wrong-key']} context geist",
           "dead": f"127.0.0.1:{fleet.dead_port}"}
    wait_for(lambda: all(checks()[f"snmp {e}"]["status"] != "OK" for e in bad.values()), timeout=30)
    current = checks()
    for name, target in bad.items():
        assert target in current[f"snmp {target}"]["message"], current[f"snmp {target}"]
    assert "credentials" in current[f"snmp {bad['wrong-key']}"]["message"], current
    assert WRONG_KEY not in current[f"snmp {bad['wrong-key']}"]["message"]
    assert "unreachable" in current[f"snmp {bad['wrong-community']}"]["message"], current
    assert "wrong community" in current[f"snmp {bad['wrong-community']}"]["message"], current
    for name in TARGETS:
        assert current[f"snmp 127.0.0.1:{fleet.ports[name]}"]["status"] == "OK", current


def test_a_target_that_does_not_answer_never_delays_the_others(fleet):
    # The silent target takes 6 s a poll (3 s, one retry); the others are read every second.
    ups = next(d for d in devices(fleet, "ups") if d["metadata"]["key"] == "battery-voltage")
    first = get(fleet.base, f"/v3/read/{ups['id']}")[1][0]["timestamp"]
    started = time.monotonic()
    wait_for(lambda: get(fleet.base, f"/v3/read/{ups['id']}")[1][0]["timestamp"] != first, timeout=10)
    assert time.monotonic() - started < 2.5


def test_ids_are_stable_across_a_plugin_restart(fleet):
    before = {(d["metadata"]["endpoint"], d["metadata"]["key"]): d["id"] for d in get(fleet.base, "/v3/scan?force=true")[1]}
    stop(fleet.plugin)
    fleet.plugin = start_plugin(fleet)
    wait_for(lambda: len(get(fleet.base, "/v3/scan?force=true")[1]) == len(before), timeout=30)
    after = {(d["metadata"]["endpoint"], d["metadata"]["key"]): d["id"] for d in get(fleet.base, "/v3/scan?force=true")[1]}
    assert after == before


def test_a_profile_the_agent_lacks_part_of_is_logged_once(fleet, tmp_path):
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "odd.yaml").write_text(
        "name: odd\ndevices:\n"
        "  - {key: missing-table, type: temperature, output: temperature, rows: 1.3.6.1.4.1.99999.1.1, value: 1.3.6.1.4.1.99999.1.1}\n"
        "  - {key: missing-scalar, type: number, output: number, value: 1.3.6.1.4.1.99999.2.0}\n"
        "  - {key: name, type: string, output: string, value: 1.3.6.1.2.1.1.5.0}\n")
    config = tmp_path / "config.yml"
    config.write_text(f"version: 3\nnetwork: {{type: tcp, address: '127.0.0.1:{free_port()}'}}\ndynamicRegistration:\n  config:\n"
                      f"    - {{address: '127.0.0.1:{fleet.ports['geist']}', community: geist, profile: odd}}\n")
    done = subprocess.run([str(SNMP), "--dry-run"], env=dict(os.environ, PLUGIN_CONFIG=str(config), SNMP_PROFILES_DIR=str(tmp_path / "profiles")),
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert output.count("the agent has no rows under 1.3.6.1.4.1.99999.1.1") == 1, output
    assert output.count("the agent has no value at 1.3.6.1.4.1.99999.2.0") == 1, output
    assert "device name:" not in output


@pytest.mark.parametrize("case", ["unknown key", "unknown profile", "short v3 key", "twice", "twice by another name", "bad profile file",
                                  "a bad item after a good one"])
def test_startup_refusals_name_their_cause(case, tmp_path):
    """Refused at startup with exit code 2 and one line naming the cause, before any agent is asked."""
    item = "{address: 127.0.0.1, community: public}"
    env = {}
    extra = ""
    if case == "unknown key":
        item, cause = "{address: 127.0.0.1, comunity: public}", "'comunity'"
    elif case == "unknown profile":
        item, cause = "{address: 127.0.0.1, community: public, profile: apc}", "no profile named 'apc'"
    elif case == "short v3 key":
        item, cause = "{address: 127.0.0.1, version: v3, user: u, authProtocol: SHA, authKey: short}", "shorter than 8 characters"
    elif case == "twice":
        extra, cause = "    - {address: '127.0.0.1:161', community: other}\n", "is already dynamicRegistration.config[0]"
    elif case == "a bad item after a good one":
        extra, cause = "    - {address: '127.0.0.2', community: ''}\n", "dynamicRegistration.config[1].community"
    elif case == "twice by another name":
        extra, cause = "    - {address: 'localhost', community: other}\n", "is the agent of dynamicRegistration.config[0] (both resolve to 127.0.0.1:161)"
    else:
        (tmp_path / "profiles").mkdir()
        (tmp_path / "profiles" / "mine.yaml").write_text("name: mine\ndevices: [{key: a, type: voltage, output: volts, value: 1.3.6.1}]\n")
        env, cause = {"SNMP_PROFILES_DIR": str(tmp_path / "profiles")}, "unknown output 'volts'"
    config = tmp_path / "config.yml"
    config.write_text(f"version: 3\nnetwork: {{type: tcp, address: '127.0.0.1:{free_port()}'}}\ndynamicRegistration:\n  config:\n    - {item}\n{extra}")
    done = subprocess.run([str(SNMP)], env=dict(os.environ, PLUGIN_CONFIG=str(config), **env), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    # Exit status 2, not a crash: no agent was asked before the refusal (the first runs of
    # "twice" died of SIGSEGV in OpenSSL's exit handlers while a poll was under way).
    assert done.returncode == 2 and cause in done.stdout + done.stderr, (done.returncode, done.stdout, done.stderr)
