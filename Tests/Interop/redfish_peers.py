"""Redfish peers for the interop tests: sushy-static (PyPI sushy-tools) serving the DMTF mockups
in Tests/Fixtures/redfish (copied from ../shared/fixtures/redfish), a plain http.server answering JSON that is not Redfish, and
synse-redfish-plugin with one dynamicRegistration item per BMC. Start them once per module."""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from helpers import ROOT, free_port, wait_for

REDFISH = Path(os.environ.get("SYNSETEST_REDFISH_BIN", ROOT / ".build" / "debug" / "synse-redfish-plugin"))
MOCKUPS = Path(os.environ.get("SYNSETEST_REDFISH_MOCKUPS", ROOT / "Tests" / "Fixtures" / "redfish"))
SUSHY_STATIC = ROOT / ".venv" / "bin" / "sushy-static"


def fetch(base, path):
    with urllib.request.urlopen(base + path, timeout=5) as response:
        return json.loads(response.read())


def start_sushy_static(mockup, port=None):
    """sushy-static serving the mockup folder `mockup` on `port` (default a free one):
    (process, base URL)."""
    port = port or free_port()
    process = subprocess.Popen([str(SUSHY_STATIC), "-i", "127.0.0.1", "-p", str(port), "-m", str(mockup)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: fetch(base, "/redfish/v1").get("RedfishVersion"), timeout=20)
    return process, base


def start_sushy_emulator(username, password):
    """sushy-emulator with the fake driver and HTTP Basic auth for `username`/`password` (a
    bcrypt htpasswd; the config file turns the fake driver on, the environment would not):
    (process, base URL)."""
    import bcrypt
    directory = Path(tempfile.mkdtemp(prefix="sushy-emulator-"))
    (directory / "state").mkdir()
    (directory / "htpasswd").write_text(f"{username}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n")
    (directory / "emulator.conf").write_text(
        "SUSHY_EMULATOR_FAKE_DRIVER = True\n"
        f"SUSHY_EMULATOR_STATE_DIR = {str(directory / 'state')!r}\n"
        f"SUSHY_EMULATOR_AUTH_FILE = {str(directory / 'htpasswd')!r}\n")
    port = free_port()
    process = subprocess.Popen([str(SUSHY_STATIC.parent / "sushy-emulator"), "--config", str(directory / "emulator.conf"),
                                "-i", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def refuses_anonymous():
        try:
            fetch(base, "/redfish/v1/Systems")
        except urllib.error.HTTPError as error:
            return error.code == 401
    wait_for(refuses_anonymous, timeout=30)
    return process, base


def start_not_redfish():
    """python -m http.server answering `/redfish/v1` with JSON that is no service root."""
    directory = Path(tempfile.mkdtemp(prefix="not-redfish-"))
    (directory / "redfish").mkdir()
    (directory / "redfish" / "v1").write_text(json.dumps({"status": "ok", "service": "a web app"}))
    port = free_port()
    process = subprocess.Popen(["python3", "-m", "http.server", "--bind", "127.0.0.1", str(port)], cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: fetch(base, "/redfish/v1").get("status") == "ok", timeout=20)
    return process, base


def mockup_copy(mockup, uuid, broken=None):
    """A temp copy of `mockup` reporting ServiceRoot.UUID `uuid` (another service), with the
    index.json of the folder `broken` cut short (malformed JSON) if given."""
    target = Path(tempfile.mkdtemp(prefix="redfish-mockup-")) / mockup.name
    shutil.copytree(mockup, target)
    root = json.loads((target / "index.json").read_text())
    root["UUID"] = uuid
    (target / "index.json").write_text(json.dumps(root))
    if broken:
        document = target / broken / "index.json"
        document.write_text(document.read_text()[:40])
    return target


def plugin_config(items, read_interval="1s", rescan="2s"):
    """A plugin config file with `items` (YAML flow mappings) as dynamicRegistration.config:
    (path, port)."""
    directory = Path(tempfile.mkdtemp(prefix="redfish-plugin-"))
    port = free_port()
    lines = "".join(f"    - {item}\n" for item in items)
    (directory / "config.yml").write_text(
        "version: 3\n"
        f"network: {{type: tcp, address: '127.0.0.1:{port}'}}\n"
        f"settings: {{read: {{interval: {read_interval}}}, write: {{interval: 100ms}}}}\n"
        "health: {healthFile: ''}\n"
        f"dynamicRegistration:\n  rescanInterval: {rescan}\n  config:\n{lines}")
    return directory / "config.yml", port


def start_redfish_plugin(config, log):
    """synse-redfish-plugin on `config`, its output appended to the file `log`."""
    env = dict(os.environ, PLUGIN_CONFIG=str(config))
    with open(log, "ab") as output:
        return subprocess.Popen([str(REDFISH)], env=env, cwd=config.parent, stdout=output, stderr=subprocess.STDOUT)


def wait_for_log(process, log, text, timeout=30):
    """Waits until `text` is in the file `log`; fails with the log if the process exits first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        content = Path(log).read_text(errors="replace")
        if text in content:
            return content
        if process.poll() is not None:
            raise AssertionError(f"plugin exited ({process.returncode}) before '{text}':\n{content}")
        time.sleep(0.1)
    raise AssertionError(f"no '{text}' in the plugin log:\n{Path(log).read_text(errors='replace')}")


def run_to_exit(config, timeout=30):
    """Runs the plugin on `config` until it exits: (exit code, output)."""
    env = dict(os.environ, PLUGIN_CONFIG=str(config))
    done = subprocess.run([str(REDFISH)], env=env, cwd=config.parent, capture_output=True, timeout=timeout)
    return done.returncode, (done.stdout + done.stderr).decode(errors="replace")


# What the mockups hold, read straight from their files (not through any Redfish code of ours).


def resource(mockup, odata_id):
    """The JSON of `odata_id` (`/redfish/v1/...`, fragment dropped) in a mockup folder."""
    path = odata_id.split("#")[0].rstrip("/")
    return json.loads((mockup / path[len("/redfish/v1"):].lstrip("/") / "index.json").read_text())


def chassis_sensors(mockup):
    """{odata id: Sensor JSON} of every member of every chassis' Sensors collection, and
    {odata id: (array, member JSON)} of the legacy Thermal/Power members of chassis without one."""
    sensors, legacy = {}, {}
    for link in resource(mockup, "/redfish/v1/Chassis")["Members"]:
        chassis = resource(mockup, link["@odata.id"])
        if "Sensors" in chassis:
            for member in resource(mockup, chassis["Sensors"]["@odata.id"])["Members"]:
                sensors[member["@odata.id"]] = resource(mockup, member["@odata.id"])
            continue
        for part, arrays in (("Thermal", ("Temperatures", "Fans")), ("Power", ("Voltages", "PowerSupplies", "PowerControl"))):
            if part in chassis:
                document = resource(mockup, chassis[part]["@odata.id"])
                for array in arrays:
                    for member in document.get(array, []):
                        legacy[member["@odata.id"]] = (array, member)
    return sensors, legacy
