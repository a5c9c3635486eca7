"""Webhooks out of a real server (issue 17, docs/health.md "Webhooks"): real HTTP receivers
(Python's http.server) that check every HMAC-SHA256 signature with Python's hmac module, fed
by a real server and the real emulator. Events: `transaction.finished` from writes to the
emulator's LED, `plugin.inactive`/`plugin.active` from killing and restarting the plugin."""
import hashlib
import hmac
import json
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import sseclient

from helpers import (CLIENT_DEVICES, LED, SERVER, ServerWithPlugin, free_port, get, kill_and_notice, request, samples, scrape,
                     start_emulator_at, start_server, stop, value, wait_for)

SECRET = "hunter2-webhook"
KINDS = ["transaction.finished", "plugin.active", "plugin.inactive"]


class Receiver:
    """A webhook receiver on a fixed port that can go down and come back there. `answer(n)`
    gives the status of the n-th request (from 0). Every request is recorded with whether its
    `X-Synse-Signature` is the HMAC-SHA256 of the raw body under SECRET."""

    def __init__(self, answer=lambda n: 200):
        self.port = free_port()
        self.answer = answer
        self.requests = []
        self.lock = threading.Lock()
        self.server = None
        self.start()

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
                with receiver.lock:
                    status = receiver.answer(len(receiver.requests))
                    receiver.requests.append({
                        "path": self.path, "headers": dict(self.headers), "data": json.loads(body), "status": status,
                        "signed": hmac.compare_digest(expected, self.headers.get("X-Synse-Signature", "")),
                    })
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook?token=abc"

    def events(self):
        with self.lock:
            return list(self.requests)


class Stack(ServerWithPlugin):
    """The emulator on a fixed port (to restart it there) and a server with `webhooks` and metrics."""

    def __init__(self, webhooks, devices=CLIENT_DEVICES):
        self.devices = devices
        self.plugin_port = free_port()
        self.plugin = self.start_plugin()
        self.log = Path(tempfile.mkdtemp(prefix="synse-webhooks-")) / "server.log"
        config = "metrics: {enabled: true}\nwebhooks: " + json.dumps(webhooks) + "\n"
        self.server, self.base, _ = start_server({"SYNSE_PLUGIN_TCP": f"127.0.0.1:{self.plugin_port}"}, config, log=self.log)

    def start_plugin(self):
        return start_emulator_at(self.plugin_port, self.devices)

    def bounce_plugin(self):
        """plugin.inactive, then plugin.active once the server sees it back."""
        kill_and_notice(self.plugin, self.base)
        self.plugin = self.start_plugin()
        wait_for(lambda: get(self.base, f"/v3/read/{LED}")[0] == 200, timeout=30)

    def write(self, state):
        status, body = request(self.base, f"/v3/write/wait/{LED}", "POST", {"action": "state", "data": state})
        assert status == 200, body

    def journal(self, count, kinds=KINDS):
        """The first `count` events of `kinds` in the server's journal, from SSE `/v3/events`."""
        response = requests.get(f"{self.base}/v3/events?type={','.join(kinds)}&last_event_id=0", stream=True, timeout=(5, 15))
        events = []
        for event in sseclient.SSEClient(response).events():
            events.append(json.loads(event.data))
            if len(events) == count:
                break
        response.close()
        return events

    def counters(self, name):
        text = scrape(self.base)[1]
        for kind in ("deliveries", "failures", "dropped", "retries"):
            assert f"# HELP synse_webhook_{kind}_total " in text, kind
        parsed = samples(text)
        return {kind: value(parsed, f"synse_webhook_{kind}_total", destination=name)
                for kind in ("deliveries", "failures", "dropped", "retries")}


def destination(receiver, **extra):
    return {"url": receiver.url, "secret": SECRET, "types": KINDS, "retry_initial": 0.2, "retry_max": 1, **extra}


def assert_well_formed(received):
    for item in received:
        assert item["signed"], item
        headers = item["headers"]
        assert headers["Content-Type"] == "application/json"
        assert headers["X-Synse-Event"] == item["data"]["event"] and headers["X-Synse-Event-Id"] == str(item["data"]["id"])
        assert item["path"] == "/hook?token=abc"


def test_a_receiver_down_for_ten_seconds_gets_every_event_afterwards_in_order_signed():
    receiver = Receiver()
    with Stack([destination(receiver)]) as s:
        wait_for(lambda: receiver.events())  # plugin.active of the registration
        receiver.down()
        down_at = time.time()
        s.write("on")
        s.bounce_plugin()
        s.write("off")
        s.write("blink")
        time.sleep(max(0, 10 - (time.time() - down_at)))
        receiver.start()
        wait_for(lambda: len(receiver.events()) >= 6, timeout=15)
        time.sleep(1)  # nothing more comes
        received = receiver.events()
        assert_well_formed(received)
        journal = s.journal(len(received))
        assert [item["data"] for item in received] == journal  # every event, in order, nothing twice
        assert [event["event"] for event in journal] == [
            "plugin.active", "transaction.finished", "plugin.inactive", "plugin.active", "transaction.finished", "transaction.finished"]
        counters = s.counters("http://127.0.0.1:%d/hook" % receiver.port)  # the URL without its query
        assert counters["deliveries"] == 6 and counters["failures"] == 0 and counters["dropped"] == 0
        assert counters["retries"] >= 2  # 10 s down at 0.2 s doubling to 1 s: many more, timing-dependent
        config = get(s.base, "/v3/config")[1]
        assert config["webhooks"][0]["secret"] == "<redacted>" and SECRET not in json.dumps(config)


def test_a_refusing_receiver_does_not_block_and_a_dead_one_drops_beyond_its_queue():
    refusing = Receiver(answer=lambda n: 410 if n in (1, 2) else 200)  # the 2nd and 3rd event refused
    dead = free_port()
    webhooks = [destination(refusing, name="refusing"),
                {"url": f"http://127.0.0.1:{dead}/", "name": "dead", "types": KINDS, "queue_size": 2, "retry_initial": 0.2, "retry_max": 1}]
    with Stack(webhooks) as s:
        wait_for(lambda: refusing.events())
        started = time.time()
        for state in ["on", "off", "blink", "on", "off"]:
            s.write(state)
        assert time.time() - started < 5  # a dead receiver never slows the writes that publish
        wait_for(lambda: len(refusing.events()) >= 6)
        time.sleep(1.5)  # no retries of the refused ones come
        received = refusing.events()
        assert_well_formed(received)
        ids = [item["data"]["id"] for item in received]
        assert ids == sorted(set(ids)) and len(ids) == 6, ids  # each event once, in order: 410 is not retried
        assert [item["status"] for item in received] == [200, 410, 410, 200, 200, 200]
        assert [item["data"] for item in received] == s.journal(6)
        assert s.counters("refusing") == {"deliveries": 4, "failures": 2, "dropped": 0, "retries": 0}
        # The dead one keeps its newest 2 (the one it retries included), so it dropped the others.
        dead_counters = s.counters("dead")
        assert (dead_counters["deliveries"], dead_counters["failures"], dead_counters["dropped"]) == (0, 0, 4)
        assert dead_counters["retries"] >= 1
        started = time.time()
        stop(s.server)  # graceful shutdown does not wait for the dead receiver
        assert time.time() - started < 3 and s.server.returncode == 0


SCRIPTED = """
version: 3
devices:
  - type: temperature
    handler: scripted
    instances:
      - info: Escalation
        data: {id: 3, values: [20], end: hold}
        thresholds:
          temperature: {UpperCaution: {Reading: 80}, UpperCritical: {Reading: 90}, HysteresisReading: 2}
"""


def test_alarms_from_the_emulators_scripted_sensor_reach_each_destination_through_its_filter(tmp_path):
    devices = tmp_path / "devices.yaml"
    devices.write_text(SCRIPTED)
    alarms = ["alarm.raised", "alarm.changed", "alarm.cleared"]
    every, critical = Receiver(), Receiver()
    with Stack([destination(every, name="every", types=alarms), destination(critical, name="critical", types=alarms, severity="critical")],
               devices=devices) as s:
        device = get(s.base, "/v3/scan")[1][0]["id"]
        wait_for(lambda: "live feed primed" in s.log.read_text())  # evaluation follows the plugin's stream from here
        # Each value held for ten 100 ms read passes: warning, critical, back to warning, ok.
        status, result = request(s.base, f"/v3/write/wait/{device}", "POST", {"action": "script", "data": str([85] * 10 + [95] * 10 + [85] * 10 + [70])})
        assert status == 200, result
        wait_for(lambda: len(every.events()) >= 4)
        time.sleep(0.5)
        received = every.events()
        assert_well_formed(received)
        assert [item["data"] for item in received] == s.journal(4, alarms)
        assert [(item["data"]["event"], item["data"]["severity"]) for item in received] == [
            ("alarm.raised", "warning"), ("alarm.changed", "critical"), ("alarm.changed", "warning"), ("alarm.cleared", "ok")]
        assert all(item["data"]["device"] == device for item in received)
        assert [item["data"] for item in critical.events()] == [received[1]["data"]]  # the severity filter
        assert s.counters("every") == {"deliveries": 4, "failures": 0, "dropped": 0, "retries": 0}
        assert s.counters("critical") == {"deliveries": 1, "failures": 0, "dropped": 0, "retries": 0}


def test_bad_webhook_config_is_one_startup_error_naming_the_key(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text("plugin: {embedded: []}\nwebhooks:\n  - url: http://a/x\n    secret: hunter2\n"
                      "  - url: http://b/y\n    types: [alarm.raised, alarm.rasied]\n")
    result = subprocess.run([str(SERVER), "--config", str(config), "--host", "127.0.0.1", "--port", "0"],
                            capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"synse-server: invalid configuration ({config}): 'webhooks[1].types' has unknown event type 'alarm.rasied' "
        "(known: alarm.raised, alarm.changed, alarm.cleared, transaction.finished, plugin.active, plugin.inactive)"]
    config.write_text("webhooks: [{url: 'ftp://a/x', secret: hunter2}]\n")
    result = subprocess.run([str(SERVER), "--config", str(config), "--port", "0"], capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode == 2 and "'webhooks[0].url' must be an http:// or https:// URL" in result.stderr
    assert "hunter2" not in result.stderr
