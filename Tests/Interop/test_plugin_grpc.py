"""Our emulator plugin driven by the original's Python gRPC API (synse-grpc 3.1.0)."""
import itertools
import subprocess
from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2
from synse_grpc import api, client, errors, synse_pb2

from helpers import LED, ROOT

TEMPS = [
    "9907bdfa-75e1-5af5-8385-87184f356b22",
    "89fd576d-462c-53be-bcb6-7870e70c304a",
    "b9324904-385b-581d-b790-5e53eaabfd20",
    "c2f6f762-fa30-5f0a-ba6c-f52d8deb3c07",
]


@pytest.fixture
def plugin(plugin_address):
    address, protocol = plugin_address
    return client.PluginClientV3(address, protocol, timeout=10)


def wait_for(predicate, timeout=10):
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_metadata_version_test_health(plugin):
    meta = plugin.metadata()
    assert meta.id == "4032ffbe-80db-5aa5-b794-f35c88dff85c"
    assert meta.tag == "vaporio/emulator-plugin"
    assert meta.name == "emulator plugin" and meta.maintainer == "vaporio"
    version = plugin.version()
    assert version.pluginVersion == "3.4.1" and version.os == "linux"
    assert plugin.test().ok is True
    health = plugin.health()
    assert health.status == api.OK
    assert [c.name for c in health.checks] == ["read queue health", "write queue health"]


def test_devices_and_tags(plugin):
    devices = list(plugin.devices())
    assert sorted(d.id for d in devices) == sorted([LED] + TEMPS)
    led = next(d for d in devices if d.id == LED)
    assert led.alias == "emulator-led" and led.capabilities.mode == "rw"
    assert led.plugin == "4032ffbe-80db-5aa5-b794-f35c88dff85c"
    assert [f"{t.namespace}/{t.annotation + ':' if t.annotation else ''}{t.label}" for t in led.tags] == [
        "foo/bar", f"system/id:{LED}", "system/type:led"]
    assert dict(led.metadata) == {}  # `metadata` in the device file is not a v3 key
    assert [d.id for d in plugin.devices(device_id="emulator-led")] == [LED]
    tagged = sorted(d.id for d in plugin.devices(tags=["foo/bar"]))
    assert tagged == sorted([LED, TEMPS[0], TEMPS[1]])
    with pytest.raises(errors.NotFound):
        list(plugin.devices(device_id="no-such-device"))


def test_read(plugin):
    readings = wait_for(lambda: (r := list(plugin.read())) and len(r) == 6 and r)
    led = [r for r in readings if r.id == LED]
    assert [r.type for r in led] == ["state", "color"]
    assert led[0].string_value == "off" and led[1].string_value == "000000"
    temps = [r for r in readings if r.deviceType == "temperature"]
    assert len(temps) == 4
    for reading in temps:
        assert reading.unit.name == "celsius" and reading.unit.symbol == "C"
        assert reading.WhichOneof("value") == "int64_value"
        assert 0 <= reading.int64_value <= 100
        assert dict(reading.context) == {}
        assert reading.deviceInfo.startswith("Synse Temperature Sensor")
        assert reading.timestamp.endswith("Z") and len(reading.timestamp) == 20
    assert len(list(plugin.read(device_id=TEMPS[2]))) == 1
    assert len(list(plugin.read(tags=["foo/bar"]))) == 4
    with pytest.raises(errors.NotFound):
        list(plugin.read(device_id="no-such-device"))


def test_read_cache_and_stream(plugin):
    wait_for(lambda: len(list(plugin.read())) == 6)
    cached = wait_for(lambda: (c := list(plugin.read_cache())) and len(c) >= 12 and c)
    assert {r.id for r in cached} == set([LED] + TEMPS)
    assert list(plugin.read_cache(start="2999-01-01T00:00:00Z")) == []
    assert list(plugin.read_cache(start="not a time")) == []
    streamed = list(itertools.islice(plugin.read_stream(devices=[TEMPS[0]]), 3))
    assert [r.id for r in streamed] == [TEMPS[0]] * 3
    grouped = list(itertools.islice(plugin.read_stream(tag_groups=[["foo/bar"]]), 8))
    assert {r.id for r in grouped} <= {LED, TEMPS[0], TEMPS[1]}


def test_writes_and_transactions(plugin):
    handles = list(plugin.write_async(device_id=LED, data={"action": "state", "data": b"on"}))
    assert len(handles) == 1
    assert handles[0].device == LED and handles[0].timeout == "30s"
    assert handles[0].context.action == "state" and handles[0].context.data == b"on"
    done = wait_for(lambda: (t := plugin.transaction(handles[0].id)).status == api.DONE and t)
    assert done.created.endswith("Z") and done.message == ""

    statuses = list(plugin.write_sync(device_id="emulator-led", data=[
        {"action": "color", "data": b"ff0000"},
        {"action": "bad-action", "data": b"x"},
        {"action": "state", "data": b"dim"},
    ]))
    assert [s.status for s in statuses] == [api.DONE, api.ERROR, api.ERROR]
    assert "bad-action" in statuses[1].message and "dim" in statuses[2].message
    readings = wait_for(lambda: (r := list(plugin.read(device_id=LED))) and r[1].string_value == "ff0000" and r)
    assert readings[0].string_value == "on"

    ids = {t.id for t in plugin.transactions()}
    assert {handles[0].id} | {s.id for s in statuses} <= ids
    with pytest.raises(errors.NotFound):
        plugin.transaction("no-such-transaction")
    with pytest.raises(errors.NotFound):
        list(plugin.write_async(device_id="no-such-device", data={"action": "state", "data": b"on"}))
    with pytest.raises(errors.PluginError):
        list(plugin.write_async(device_id=TEMPS[0], data=[]))


def test_our_proto_matches_the_original(tmp_path):
    """Every message, field number, type, enum value and streaming kind of our .proto equals synse-grpc's."""
    out = tmp_path / "ours.pb"
    protoc = subprocess.run(["protoc", "--version"], capture_output=True)
    if protoc.returncode != 0:  # scripts/bootstrap.sh installs it; skipping only outside it
        pytest.skip("protoc not installed")
    subprocess.run(["protoc", "-I", str(ROOT / "protos"), f"--descriptor_set_out={out}", "synse/synse.proto"], check=True)
    ours = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file[0]
    theirs = descriptor_pb2.FileDescriptorProto.FromString(synse_pb2.DESCRIPTOR.serialized_pb)

    def shape(fd):
        fields = lambda m: sorted((f.name, f.number, f.type, f.label, f.type_name.split(".")[-1],
                                    f.oneof_index if f.HasField("oneof_index") else -1) for f in m.field)
        messages = {m.name: fields(m) for m in fd.message_type}
        messages.update({f"{m.name}.{n.name}": fields(n) for m in fd.message_type for n in m.nested_type})
        enums = {e.name: sorted((v.name, v.number) for v in e.value) for e in fd.enum_type}
        services = {s.name: sorted((m.name, m.input_type, m.output_type, m.client_streaming, m.server_streaming)
                                   for m in s.method) for s in fd.service}
        return fd.package, messages, enums, services

    assert shape(ours) == shape(theirs)
