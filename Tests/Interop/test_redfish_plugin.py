"""synse-redfish-plugin against real Redfish services: sushy-static (PyPI sushy-tools 2.2.0)
serving the three DMTF mockups, a copy of one with a malformed document, a JSON web server that
is not Redfish, an address nobody answers and sushy-emulator refusing the plugin's password, all
in one plugin behind a real synse-server.
Expectations are read from the mockup files themselves (redfish_peers.chassis_sensors)."""
import collections
import json
import re
import tempfile
from pathlib import Path

import pytest
from synse import client as synse_client

from helpers import free_port, get, run, samples, scrape, start_server, stop, wait_for
from redfish_peers import (MOCKUPS, chassis_sensors, mockup_copy, plugin_config, resource, run_to_exit,
                           start_not_redfish, start_redfish_plugin, start_sushy_emulator, start_sushy_static, wait_for_log)

USERNAME, PASSWORD = "fleet-operator", "pw-9f3c-never-logged"
BMC_USER, BMC_PASSWORD, WRONG_PASSWORD = "bmc-admin", "right-7d1e", "wrong-c4a2-never-logged"
BROKEN_SENSOR = "Chassis/1U/Sensors/AmbientTemp"
# UCUM unit of a Sensor → (Synse device type, unit symbol the server shows).
UNITS = {"Cel": ("temperature", "C"), "V": ("voltage", "V"), "W": ("power", "W"), "A": ("current", "A"),
         "RPM": ("fan", "RPM"), "Hz": ("frequency", "Hz"), "kW.h": ("energy", "kWh")}

# The thresholds of Synse's model (docs/health.md); Redfish's *User variants are not in it.
KINDS = ("LowerCaution", "UpperCaution", "LowerCritical", "UpperCritical", "LowerFatal", "UpperFatal")


class Fleet:
    pass


@pytest.fixture(scope="module")
def fleet():
    """Three mockups, a broken copy of the rackmount one (its own UUID), a non-Redfish JSON
    server, a dead port and a sushy-emulator given the wrong password, in one plugin config;
    the plugin and server with metrics on."""
    f = Fleet()
    f.peers = {}
    for name in ("public-rackmount1", "public-bladed", "public-pdu"):
        f.peers[name] = start_sushy_static(MOCKUPS / name)
    f.broken_dir = mockup_copy(MOCKUPS / "public-rackmount1", "0badc0de-2938-2342-8820-489239905423", broken=BROKEN_SENSOR)
    f.peers["broken"] = start_sushy_static(f.broken_dir)
    f.not_redfish, f.not_redfish_base = start_not_redfish()
    f.guarded, f.guarded_base = start_sushy_emulator(BMC_USER, BMC_PASSWORD)
    f.dead_port = free_port()
    f.dead = f"http://127.0.0.1:{f.dead_port}"
    secret = Path(tempfile.mkdtemp(prefix="redfish-secret-")) / "password"
    secret.write_text(PASSWORD + "\n")
    f.endpoints = {name: base for name, (_, base) in f.peers.items()}
    items = [f"{{endpoint: '{f.endpoints['public-rackmount1']}', username: {USERNAME}, passwordFile: '{secret}', timeout: 3s}}"]
    items += [f"{{endpoint: '{f.endpoints[name]}', timeout: 3s}}" for name in ("public-bladed", "public-pdu", "broken")]
    items += [f"{{endpoint: '{f.not_redfish_base}', timeout: 3s}}", f"{{endpoint: '{f.dead}', timeout: 1s}}",
              f"{{endpoint: '{f.guarded_base}', username: {BMC_USER}, password: '{WRONG_PASSWORD}', timeout: 3s}}"]
    f.config, port = plugin_config(items)
    f.log = f.config.parent / "plugin.log"
    f.plugin = start_redfish_plugin(f.config, f.log)
    wait_for_log(f.plugin, f.log, "serving synse.V3Plugin", timeout=60)
    f.server, f.base, f.port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}", "SYNSE_METRICS_ENABLED": "true"})
    f.plugin_id = get(f.base, "/v3/plugin")[1][0]["id"]
    yield f
    stop(f.server)
    stop(f.plugin)
    for process, _ in f.peers.values():
        stop(process)
    stop(f.not_redfish)
    stop(f.guarded)


def scan(base):
    return get(base, "/v3/scan?force=true")[1]


def devices_of(devices, endpoint):
    return [d for d in devices if d["metadata"].get("endpoint") == endpoint]


def test_every_sensor_of_each_mockup_is_one_device(fleet):
    devices = scan(fleet.base)
    for name in ("public-rackmount1", "public-bladed", "public-pdu"):
        sensors, legacy = chassis_sensors(MOCKUPS / name)
        served = collections.Counter(d["metadata"]["odata_id"] for d in devices_of(devices, fleet.endpoints[name]))
        assert {key: n for key, n in served.items() if n > 1} == {}, name
        assert set(sensors) <= set(served), (name, sorted(set(sensors) - set(served)))
        for key, (array, member) in legacy.items():
            if array == "PowerSupplies":  # one device per reading property the supply has
                assert any(k.startswith(key + "/") for k in served), (name, key)
            else:
                assert key in served, (name, key)
    # Startup waited for each BMC's first walk: the devices served from the start already
    # include every sensor of the mockups (not only after a rescan).
    first = int(re.search(r"devices=(\d+) .*serving synse.V3Plugin", fleet.log.read_text()).group(1))
    assert first >= sum(len(chassis_sensors(MOCKUPS / n)[0]) + len(chassis_sensors(MOCKUPS / n)[1])
                        for n in ("public-rackmount1", "public-bladed", "public-pdu")), first
    # Members of the Sensors collections: 41 in the rackmount, 115 over the PDU's two chassis; the blades have legacy Thermal/Power only.
    assert [len(chassis_sensors(MOCKUPS / n)[0]) for n in ("public-rackmount1", "public-bladed", "public-pdu")] == [41, 0, 115]


def test_types_units_values_and_context_match_the_mockups(fleet):
    devices = {d["id"]: d for d in scan(fleet.base)}
    readings = {r["device"]: r for r in get(fleet.base, "/v3/read")[1]}
    checked = collections.Counter()
    for name in ("public-rackmount1", "public-pdu"):
        sensors, _ = chassis_sensors(MOCKUPS / name)
        for device in devices_of(devices.values(), fleet.endpoints[name]):
            sensor = sensors.get(device["metadata"]["odata_id"])
            if sensor is None or sensor.get("ReadingUnits") not in UNITS:
                continue
            device_type, symbol = UNITS[sensor["ReadingUnits"]]
            reading = readings[device["id"]]
            assert device["type"] == device_type and device["info"] == sensor["Name"], (device, sensor)
            assert reading["unit"]["symbol"] == symbol and reading["value"] == sensor.get("Reading"), (reading, sensor)
            if "Status" in sensor and "Health" in sensor["Status"]:
                assert reading["context"]["health"] == sensor["Status"]["Health"], reading
            checked[device_type] += 1
    assert set(checked) >= {"temperature", "voltage", "power", "current", "frequency", "energy"}, checked
    # A legacy member of a blade: ReadingCelsius of Thermal's Temperatures.
    thermal = resource(MOCKUPS / "public-bladed", "/redfish/v1/Chassis/Blade1/Thermal")
    member = thermal["Temperatures"][0]
    device = next(d for d in devices.values() if d["metadata"]["odata_id"] == member["@odata.id"]
                  and d["metadata"]["endpoint"] == fleet.endpoints["public-bladed"])
    assert device["type"] == "temperature" and readings[device["id"]]["value"] == member["ReadingCelsius"]


def test_thresholds_tags_info_and_metrics(fleet):
    devices = devices_of(scan(fleet.base), fleet.endpoints["public-rackmount1"])
    sensors, _ = chassis_sensors(MOCKUPS / "public-rackmount1")
    with_thresholds = [d for d in devices if "Thresholds" in sensors.get(d["metadata"]["odata_id"], {})]
    assert with_thresholds
    for device in with_thresholds:
        sensor = sensors[device["metadata"]["odata_id"]]
        status, body = get(fleet.base, f"/v3/device/{device['id']}/thresholds")
        assert status == 200 and body["problem"] is None, body
        (selector, declared), = body["thresholds"].items()
        assert selector == get(fleet.base, f"/v3/read/{device['id']}")[1][0]["type"], body  # the reading's type
        for kind in KINDS:
            threshold = sensor["Thresholds"].get(kind)
            if threshold and threshold.get("Reading") is not None:
                assert declared[kind]["Reading"] == threshold["Reading"] and declared[kind]["source"] == "plugin", (kind, body)
        assert any(t.startswith("redfish/chassis:") for t in device["tags"]), device
    # Each BMC's devices, and only they, carry its endpoint as a tag (two BMCs of one model
    # have the same chassis and sensor tags).
    endpoint = fleet.endpoints["public-rackmount1"]
    tag = "redfish/endpoint:" + endpoint.split("://", 1)[1].replace(":", "-")
    status, tagged = get(fleet.base, f"/v3/scan?tags={tag}")
    assert status == 200 and {d["id"] for d in tagged} == {d["id"] for d in devices}, tagged
    info = get(fleet.base, f"/v3/info/{with_thresholds[0]['id']}")[1]
    assert info["info"] == sensors[with_thresholds[0]["metadata"]["odata_id"]]["Name"]
    assert info["capabilities"]["mode"] == "r"

    async def read_with_the_official_client():
        async with synse_client.HTTPClientV3("127.0.0.1", fleet.port) as api:
            return await api.read_device(with_thresholds[0]["id"])
    assert run(read_with_the_official_client())[0].device == with_thresholds[0]["id"]
    exported = {dict(labels).get("id") for (name, labels) in samples(scrape(fleet.base)[1]) if name.startswith("synse_device_")}
    assert {d["id"] for d in with_thresholds} <= exported


def test_health_names_each_failing_endpoint_while_the_others_answer(fleet):
    def checks():
        return {c["name"]: c for c in get(fleet.base, f"/v3/plugin/{fleet.plugin_id}")[1]["health"]["checks"]}
    failing = (fleet.dead, fleet.not_redfish_base, fleet.guarded_base)
    wait_for(lambda: all(checks()[f"redfish {endpoint}"]["status"] != "OK" for endpoint in failing), timeout=20)
    current = checks()
    dead, not_redfish, refused = (current[f"redfish {endpoint}"] for endpoint in failing)
    assert fleet.dead in dead["message"] and "connect" in dead["message"], dead
    assert fleet.not_redfish_base in not_redfish["message"] and "not a Redfish service root" in not_redfish["message"]
    assert fleet.guarded_base in refused["message"] and "check username and password" in refused["message"], refused
    assert WRONG_PASSWORD not in refused["message"] and BMC_USER not in refused["message"]
    for name in ("public-rackmount1", "public-bladed", "public-pdu", "broken"):
        assert current[f"redfish {fleet.endpoints[name]}"]["status"] == "OK", current
    # The others answer within their poll interval (1 s): their readings are fresh.
    readings = get(fleet.base, "/v3/read")[1]
    assert {r["context"].get("endpoint") for r in readings} >= {fleet.endpoints[n] for n in ("public-bladed", "public-pdu")}


def test_a_malformed_document_loses_only_that_resource(fleet):
    served = {d["metadata"]["odata_id"] for d in devices_of(scan(fleet.base), fleet.endpoints["broken"])}
    sensors, _ = chassis_sensors(MOCKUPS / "public-rackmount1")
    missing = "/redfish/v1/" + BROKEN_SENSOR
    assert missing not in served
    assert set(sensors) - {missing} <= served
    log = fleet.log.read_text(errors="replace")
    reasons = [line for line in log.splitlines() if missing in line and fleet.endpoints["broken"] in line]
    assert len(reasons) == 1, reasons  # logged once, not at every poll


def test_resources_that_go_and_come_back_follow_at_a_rescan(fleet):
    """A Sensor dropped from the copy's collection stops being a device (same ID when it is back)."""
    collection = fleet.broken_dir / "Chassis/1U/Sensors/index.json"
    original = collection.read_text()
    document = json.loads(original)
    gone = document["Members"].pop()["@odata.id"]
    document["Members@odata.count"] -= 1

    def ids():
        return {d["metadata"]["odata_id"]: d["id"] for d in devices_of(scan(fleet.base), fleet.endpoints["broken"])}
    before = ids()
    collection.write_text(json.dumps(document))
    try:
        wait_for(lambda: gone not in ids(), timeout=20)
        assert set(ids()) == set(before) - {gone}
    finally:
        collection.write_text(original)
    wait_for(lambda: ids() == before, timeout=20)


def test_credentials_never_reach_the_log(fleet):
    log = fleet.log.read_text(errors="replace")
    assert all(secret not in log for secret in (PASSWORD, USERNAME, WRONG_PASSWORD, BMC_USER))


def test_a_late_bmc_becomes_devices_at_a_rescan(fleet):
    """The dead endpoint comes up (a rackmount copy with its own UUID): its devices appear without
    a plugin restart (backoff retry, then the 2 s rescan), and its health check clears."""
    late, _ = start_sushy_static(mockup_copy(MOCKUPS / "public-rackmount1", "1a7e0000-2938-2342-8820-489239905423"),
                                 port=fleet.dead_port)
    try:
        sensors, _ = chassis_sensors(MOCKUPS / "public-rackmount1")
        served = wait_for(lambda: {d["metadata"]["odata_id"] for d in devices_of(scan(fleet.base), fleet.dead)} >= set(sensors),
                          timeout=60)
        assert served
        wait_for(lambda: {c["name"]: c for c in get(fleet.base, f"/v3/plugin/{fleet.plugin_id}")[1]["health"]["checks"]}
                 [f"redfish {fleet.dead}"]["status"] == "OK", timeout=10)
    finally:
        stop(late)


def test_device_ids_survive_a_restart_and_a_new_address(fleet):
    """Last in the module: the plugin is restarted with the bladed BMC at another address."""
    def ids():  # the late BMC is down again: after a restart it has no devices
        return {d["id"]: d["metadata"]["odata_id"] for d in scan(fleet.base) if d["metadata"]["endpoint"] != fleet.dead}
    before = ids()
    stop(fleet.plugin)
    moved, moved_base = start_sushy_static(MOCKUPS / "public-bladed")
    try:
        fleet.config.write_text(fleet.config.read_text().replace(fleet.endpoints["public-bladed"], moved_base))
        fleet.plugin = start_redfish_plugin(fleet.config, fleet.log)
        wait_for(lambda: re.findall("serving synse.V3Plugin", fleet.log.read_text()).__len__() == 2, timeout=60)
        after = wait_for(lambda: (lambda s: s if len(s) == len(before) else None)(ids()), timeout=30)
        assert after == before
    finally:
        stop(moved)


def test_bad_configuration_stops_the_plugin_with_one_line_naming_the_key():
    for item, key in ((f"{{endpoint: 'htp//bmc one', timeout: 1s}}", "dynamicRegistration.config[0].endpoint"),
                      ("{endpoint: 'http://127.0.0.1:9', username: u, passwordFile: /nonexistent/bmc-pw}",
                       "dynamicRegistration.config[0].passwordFile")):
        config, _ = plugin_config([item])
        code, output = run_to_exit(config)
        errors = [line for line in output.splitlines() if "critical" in line.lower() or "error" in line.lower()]
        assert code != 0 and len(errors) == 1 and key in errors[0], output
