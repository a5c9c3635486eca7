"""examples/plugins: the example plugin with its own config files behind a real synse-server,
driven by the official Python client; and the README shows its real source."""
import asyncio
import json
import os
import re
import subprocess
import time

from synse import client as synse_client

from helpers import ROOT, free_port, get, run, start_server, stop, wait_for, wait_until_serving

EXAMPLE = ROOT / "examples" / "plugins"
BINARY = os.environ.get("SYNSETEST_EXAMPLE_BIN", str(ROOT / ".build" / "debug" / "synse-example-plugin"))
SOURCE = EXAMPLE / "Sources" / "synse-example-plugin" / "ExamplePlugin.swift"


def start_example(port):
    env = dict(os.environ, PLUGIN_CONFIG=str(EXAMPLE / "config" / "config.yaml"),
               PLUGIN_DEVICE_CONFIG=str(EXAMPLE / "config" / "devices.yaml"),
               PLUGIN_NETWORK_ADDRESS=f"127.0.0.1:{port}")
    return subprocess.Popen([BINARY], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_example_devices_read_and_a_write_reaches_a_final_status():
    port = free_port()
    plugin = start_example(port)
    wait_until_serving(plugin)
    server, base, api_port = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{port}"})
    try:
        devices = wait_for(lambda: (r := get(base, "/v3/scan")) and len(r[1]) == 3 and r[1])
        assert sorted((d["type"], d["info"]) for d in devices) == [
            ("switch", "Example switch 1"), ("switch", "Example switch 2"), ("uptime", "Host uptime")]
        uptime = next(d["id"] for d in devices if d["type"] == "uptime")
        switch = next(d["id"] for d in devices if d["info"] == "Example switch 1")
        wait_for(lambda: len(get(base, "/v3/read")[1]) == 3)  # the plugin's first read pass is done

        async def scenario():
            async with synse_client.HTTPClientV3("127.0.0.1", api_port) as api:
                assert (await api.info(uptime)).capabilities["mode"] == "r"
                assert (await api.info(switch)).capabilities["mode"] == "rw"
                [reading] = await api.read_device(uptime)
                assert reading.type == "duration" and reading.unit == {"name": "seconds", "symbol": "s"}
                assert isinstance(reading.value, float) and reading.value > 0
                assert [r.value for r in await api.read_device(switch)] == ["off"]
                done = await api.write_sync(switch, {"action": "state", "data": "on"})
                assert [t.status for t in done] == ["DONE"], done
                # Reads serve the plugin's last read pass (settings.read.interval: 1s), so the
                # new state shows within a pass or two of the write, not at once.
                deadline = time.time() + 5
                while [r.value for r in await api.read_device(switch)] != ["on"]:
                    assert time.time() < deadline, "the written state never showed in a reading"
                    await asyncio.sleep(0.1)
                refused = await api.write_sync(switch, {"action": "state", "data": "dim"})
                assert [t.status for t in refused] == ["ERROR"]
                assert refused[0].message == "switch state 'dim' must be 'on' or 'off'"
                assert [r.value for r in await api.read_device(switch)] == ["on"]

        run(scenario())
    finally:
        stop(server)
        stop(plugin)
    assert plugin.returncode == 0


def test_bad_flag_and_missing_config_exit_2_with_a_message():
    bad_flag = subprocess.run([BINARY, "--bogus"], capture_output=True, text=True, timeout=30)
    assert bad_flag.returncode == 2 and "unknown arguments [\"--bogus\"]" in bad_flag.stderr
    missing = subprocess.run([BINARY], env=dict(os.environ, PLUGIN_CONFIG="/nonexistent/config.yaml"),
                             capture_output=True, text=True, timeout=30)
    assert missing.returncode == 2 and "/nonexistent/config.yaml" in missing.stderr


def test_readme_shows_the_example_source():
    """The README's "Writing a plugin" code is the example's file, byte for byte, so it
    compiles whenever the build does."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Writing a plugin\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```swift\n(.*?)^```$", section, flags=re.M | re.S)
    assert blocks == [SOURCE.read_text()]


def test_package_snippet_is_a_manifest_naming_a_product_of_this_package(tmp_path):
    """examples/plugins/README.md's Package.swift parses, and the product it takes from
    `../synse-swift` is a library this repository's package exports."""
    readme = (EXAMPLE / "README.md").read_text()
    [manifest] = re.findall(r"^```swift\n(// swift-tools-version.*?)^```$", readme, flags=re.M | re.S)
    package = tmp_path / "my-plugin"
    (package / "Sources" / "my-plugin").mkdir(parents=True)
    (package / "Package.swift").write_text(manifest)

    result = subprocess.run(["swift", "package", "dump-package"], cwd=package, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    wanted = [entry["product"][:2] for target in json.loads(result.stdout)["targets"]
              for entry in target["dependencies"] if "product" in entry]
    assert ["SynseSDK", "synse-swift"] in wanted
    # The root manifest is read as text: `swift package` there would wait for the build's lock.
    assert '.library(name: "SynseSDK", targets: ["SynseSDK"])' in (ROOT / "Package.swift").read_text()
