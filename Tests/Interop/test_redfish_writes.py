"""Redfish writes through the whole stack: synse-server and synse-redfish-plugin as separate
processes, the official synse 1.0.1 client writing, and sushy-emulator 2.2.0 (`--fake` driver,
HTTP Basic auth) as the BMC. Each write's transaction must be DONE only once the BMC shows the
new state: its own API is read directly right after, with no waiting (the fake driver applies a
ComputerSystem.Reset 1-11 s after accepting it)."""
import asyncio
import base64
import json
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import bcrypt
import pytest
from synse import client as synse_client

from helpers import ROOT, free_port, get, run, start_server, stop, wait_for
from redfish_peers import plugin_config, start_redfish_plugin, wait_for_log

SUSHY = ROOT / ".venv" / "bin" / "sushy-emulator"
USER, PASSWORD = "admin", "w3ite-s3cret"
# sushy-emulator's fake driver: one system, this UUID, Off at start.
SYSTEM = "/redfish/v1/Systems/27946b59-9e44-4fa7-8e91-f3527a1ef094"


def start_sushy(extra_config=""):
    """sushy-emulator with the fake driver, a temp state dir and a bcrypt htpasswd; the config
    file is what turns the fake driver on (SUSHY_EMULATOR_FAKE_DRIVER in the environment does not)."""
    directory = Path(tempfile.mkdtemp(prefix="sushy-writes-"))
    (directory / "state").mkdir()
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    (directory / "htpasswd").write_text(f"{USER}:{hashed}\n")
    (directory / "emulator.conf").write_text(
        "SUSHY_EMULATOR_FAKE_DRIVER = True\n"
        f"SUSHY_EMULATOR_STATE_DIR = {str(directory / 'state')!r}\n"
        f"SUSHY_EMULATOR_AUTH_FILE = {str(directory / 'htpasswd')!r}\n" + extra_config)
    port = free_port()
    process = subprocess.Popen([str(SUSHY), "--config", str(directory / "emulator.conf"), "-i", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: bmc(base, SYSTEM) is not None, timeout=30)
    return process, base


def bmc(base, path):
    """A resource as sushy-emulator itself serves it (Basic auth)."""
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    req = urllib.request.Request(base + path, headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read())


class Stack:
    """sushy-emulator, the Redfish plugin and synse-server, stopped in reverse order."""

    def __init__(self, sushy_config=""):
        self.plugin = self.server = None
        self.sushy, self.bmc = start_sushy(sushy_config)
        try:
            config, port = plugin_config([f"{{endpoint: '{self.bmc}', username: {USER}, password: '{PASSWORD}', timeout: 5s}}"])
            self.log = config.parent / "plugin.log"
            self.plugin = start_redfish_plugin(config, self.log)
            wait_for_log(self.plugin, self.log, "serving synse.V3Plugin", timeout=60)
            self.server, self.base, self.port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"})
        except BaseException:
            self.close()
            raise

    def device(self, type_, resource):
        """The ID of the one device of `type_` tagged with the chassis or system `resource`
        (`redfish/chassis:<Id>`, `redfish/system:<Id>`), as a user would select it."""
        kind, identity = resource.split("/")[-2:]
        tag = f"redfish/{'chassis' if kind == 'Chassis' else 'system'}:{identity}"
        _, devices = get(self.base, f"/v3/scan?tags=system/type:{type_},{tag}")
        assert len(devices) == 1, (type_, tag, devices)
        return devices[0]["id"]

    def write(self, device, action, data, timeout=40, wait=False):
        """Writes through the official client and returns the transaction once it has ended:
        by polling /v3/transaction, or with `wait` in one /v3/write/wait request."""
        async def scenario():
            async with synse_client.HTTPClientV3("127.0.0.1", self.port, timeout=timeout) as api:
                if wait:
                    return (await api.write_sync(device, {"action": action, "data": data}))[0]
                started = await api.write_async(device, {"action": action, "data": data})
                deadline = time.time() + timeout
                while (status := await api.transaction(started[0].id)).status not in ("DONE", "ERROR"):
                    assert time.time() < deadline, f"transaction still {status.status}"
                    await asyncio.sleep(0.1)
                return status
        return run(scenario())

    def close(self):
        for process in (self.server, self.plugin, self.sushy):
            if process is not None and process.poll() is None:
                stop(process)


@pytest.fixture(scope="module")
def stack():
    stack = Stack()
    yield stack
    stack.close()
    assert stack.server.returncode == 0 and stack.plugin.returncode == 0


def chassis_path(stack):
    return bmc(stack.bmc, "/redfish/v1/Chassis")["Members"][0]["@odata.id"]


@pytest.mark.parametrize("data, lit", [("blink", "Blinking"), ("off", "Off"), ("on", "Lit")])
def test_chassis_led_write_is_done_once_the_bmc_shows_it(stack, data, lit):
    chassis = chassis_path(stack)
    led = stack.device("led", chassis)
    status = stack.write(led, "state", data)
    assert (status.status, status.message) == ("DONE", "")
    assert bmc(stack.bmc, chassis)["IndicatorLED"] == lit


def test_system_led_is_its_own_device(stack):
    led = stack.device("led", SYSTEM)
    chassis = chassis_path(stack)
    assert led != stack.device("led", chassis)
    before = bmc(stack.bmc, chassis)["IndicatorLED"]
    status = stack.write(led, "state", "blink", wait=True)
    assert (status.status, status.message) == ("DONE", "")
    assert bmc(stack.bmc, SYSTEM)["IndicatorLED"] == "Blinking"
    assert bmc(stack.bmc, chassis)["IndicatorLED"] == before


def test_system_power_on_then_off_is_done_only_when_the_bmc_reports_it(stack):
    power = stack.device("power-state", SYSTEM)
    assert bmc(stack.bmc, SYSTEM)["PowerState"] == "Off"
    for data, state in (("on", "On"), ("off", "Off")):
        status = stack.write(power, "state", data)
        assert (status.status, status.message) == ("DONE", ""), data
        # Read at once: the fake driver applied the reset 1-11 s after accepting it, so a
        # transaction that ended at the POST's 204 would find the old state here.
        assert bmc(stack.bmc, SYSTEM)["PowerState"] == state, data
        # The device reads back what was written, in Synse's lowercase (as LEDs do), by the next walk.
        wait_for(lambda: get(stack.base, f"/v3/read/{power}")[1][0]["value"] == data, timeout=30)


def test_system_power_cycle_ends_on(stack):
    power = stack.device("power-state", SYSTEM)
    status = stack.write(power, "state", "cycle")
    assert (status.status, status.message) == ("DONE", "")
    assert bmc(stack.bmc, SYSTEM)["PowerState"] == "On"


def test_bad_data_is_refused_naming_the_accepted_values_and_nothing_changes(stack):
    chassis = chassis_path(stack)
    before = bmc(stack.bmc, chassis)["IndicatorLED"]
    status = stack.write(stack.device("led", chassis), "state", "purple")
    assert status.status == "ERROR"
    assert status.message == f"unsupported LED state 'purple' for {chassis} (want on, off or blink)"
    assert bmc(stack.bmc, chassis)["IndicatorLED"] == before
    status = stack.write(stack.device("power-state", SYSTEM), "state", "PowerCycle")
    assert status.status == "ERROR"
    assert status.message.startswith(f"ResetType 'PowerCycle' is not allowed by the system on {SYSTEM} (want on, off, cycle, reset")


def test_a_bmc_refusal_ends_the_transaction_with_the_bmcs_own_text():
    """sushy-emulator refuses power off when told to (HTTP 400 with a Redfish error document)."""
    stack = Stack("SUSHY_EMULATOR_DISABLE_POWER_OFF = True\n")
    try:
        power = stack.device("power-state", SYSTEM)
        status = stack.write(power, "state", "on")
        assert status.status == "DONE"
        status = stack.write(power, "state", "off")
        assert status.status == "ERROR"
        assert status.message.startswith(f'POST {SYSTEM}/Actions/ComputerSystem.Reset {{"ResetType": "ForceOff"}} was refused: ')
        assert "HTTP 400" in status.message and "Can not request power off transition" in status.message
        assert bmc(stack.bmc, SYSTEM)["PowerState"] == "On"
    finally:
        stack.close()
