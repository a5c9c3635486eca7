"""The event feed out of a real server (issue 17): SSE `/v3/events` read by `curl -N` and by
sseclient-py, `Last-Event-ID` resumes, filters and their 400s, the WebSocket
`request/event_stream`, and streams ending when the client goes or the server stops.
Events come from real plugin processes: `plugin.inactive`/`plugin.active` by killing and
restarting the emulator, `transaction.finished` by writing the emulator's LED."""
import asyncio
import json
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest
import requests
import sseclient

from helpers import (LED, PLUGIN, ServerWithPlugin, free_port, get, kill_and_notice, request, run, start_emulator_at, start_server, stop,
                     wait_for)


class Stack(ServerWithPlugin):
    """The emulator on a fixed TCP port (so it can be restarted there) and a server using it
    with the `events` section given (1 s heartbeats by default), its log in a file."""

    def __init__(self, events="heartbeat: 1", extra=""):
        self.plugin_port = free_port()
        self.plugin = self.start_plugin()
        self.log = Path(tempfile.mkdtemp(prefix="synse-events-")) / "server.log"
        self.server, self.base, self.port = start_server(
            {"SYNSE_PLUGIN_TCP": f"127.0.0.1:{self.plugin_port}"}, f"events: {{{events}}}\n{extra}", log=self.log)

    def start_plugin(self):
        return start_emulator_at(self.plugin_port)

    def kill_plugin(self):
        kill_and_notice(self.plugin, self.base)

    def write(self, state, wait=False):
        path = f"/v3/write/wait/{LED}" if wait else f"/v3/write/{LED}"
        status, body = request(self.base, path, "POST", {"action": "state", "data": state})
        assert status == 200, body
        return [item["id"] for item in body]

    def log_lines(self, text):
        return [line for line in self.log.read_text(errors="replace").splitlines() if text in line]


def sse(base, query="", last_event_id=None):
    """A streaming requests response and sseclient-py's event iterator over it (one per
    response: the iterator consumes the body)."""
    headers = {"Accept": "text/event-stream", **({} if last_event_id is None else {"Last-Event-ID": str(last_event_id)})}
    response = requests.get(f"{base}/v3/events{query}", stream=True, headers=headers, timeout=(5, 15))
    assert response.status_code == 200, response.text
    return response, sseclient.SSEClient(response).events()


def take(client, count):
    """The next `count` events of an iterator from `sse` as (id, event, data)."""
    events = []
    for event in client:
        events.append((event.id, event.event, json.loads(event.data)))
        if len(events) == count:
            return events
    raise AssertionError(f"stream ended after {events}")


def test_curl_and_sseclient_read_plugin_and_transaction_events():
    with Stack() as s:
        response, client = sse(s.base, "?type=transaction.finished")
        assert response.headers["Content-Type"] == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-cache"
        curl = subprocess.Popen(["curl", "-sN", f"{s.base}/v3/events?type=transaction.finished"], stdout=subprocess.PIPE)
        wait_for(lambda: len(s.log_lines("event stream opened")) == 2)
        synced = s.write("on", wait=True)
        queued = s.write("off")
        events = take(client, 2)
        assert [event for _, event, _ in events] == ["transaction.finished"] * 2
        by_transaction = {data["transaction"]: data for _, _, data in events}
        assert set(by_transaction) == set(synced + queued)  # the async one followed with no client asking
        for event_id, _, data in events:
            assert data["id"] == int(event_id) and data["event"] == "transaction.finished"
            assert (data["status"], data["device"], data["plugin"]) == ("DONE", LED, PLUGIN)
            assert data["created"] and data["updated"] and data["context"]["action"] == "state"
        assert [int(event_id) for event_id, _, _ in events] == sorted(int(event_id) for event_id, _, _ in events)
        response.close()

        time.sleep(1.5)  # one heartbeat at least
        stop(curl)
        text = curl.stdout.read().decode()
        assert text.startswith(": heartbeat\n\n")
        assert ": heartbeat\n\n" in text[len(": heartbeat\n\n"):]
        frames = [frame for frame in text.split("\n\n") if frame.startswith("id: ")]
        assert len(frames) == 2
        for frame in frames:
            lines = frame.split("\n")
            assert [line.split(": ", 1)[0] for line in lines] == ["id", "event", "data"]
            assert lines[1] == "event: transaction.finished"
            assert json.loads(lines[2][len("data: "):])["id"] == int(lines[0][len("id: "):])


def test_last_event_id_resume_loses_nothing_still_in_the_journal():
    kinds = "type=plugin.active,plugin.inactive,transaction.finished"
    with Stack() as s:
        response, client = sse(s.base, f"?{kinds}&last_event_id=0")
        (first_id, first, data), = take(client, 1)
        assert first == "plugin.active" and data["plugin"] == PLUGIN and data["tag"] == "vaporio/emulator-plugin"
        response.close()  # the client goes away; things happen meanwhile

        s.kill_plugin()
        s.plugin = s.start_plugin()
        wait_for(lambda: get(s.base, f"/v3/read/{LED}")[0] == 200)
        s.write("on", wait=True)

        everything = take(sse(s.base, f"?{kinds}&last_event_id=0")[1], 4)
        assert [event for _, event, _ in everything] == ["plugin.active", "plugin.inactive", "plugin.active", "transaction.finished"]
        assert everything[1][2]["reason"]  # why it went inactive
        ids = [int(event_id) for event_id, _, _ in everything]
        assert ids == sorted(set(ids))

        # The header, as a reconnecting EventSource sends it, and the query parameter alike.
        assert take(sse(s.base, f"?{kinds}", last_event_id=first_id)[1], 3) == everything[1:]
        assert take(sse(s.base, f"?{kinds}&last_event_id={everything[2][0]}")[1], 1) == everything[3:]


def test_a_resume_beyond_the_journal_is_told_how_many_it_missed():
    with Stack("heartbeat: 1, journal_size: 2") as s:
        for state in ["on", "off", "on"]:
            s.write(state, wait=True)
        # Events 1 (plugin.active) to 4 happened; the journal keeps 3 and 4.
        curl = subprocess.Popen(["curl", "-sN", "-H", "Last-Event-ID: 1", f"{s.base}/v3/events"], stdout=subprocess.PIPE)
        time.sleep(1.5)
        stop(curl)
        frames = [frame for frame in curl.stdout.read().decode().split("\n\n") if frame and not frame.startswith(":")]
        assert frames[0] == 'event: events.missed\ndata: {"missed":1}'
        assert [frame.split("\n")[0] for frame in frames[1:]] == ["id: 3", "id: 4"]


def test_an_async_write_whose_plugin_cannot_say_how_it_ended_ends_as_error():
    """The server follows async writes itself: a plugin that dies before answering gets the
    transaction an `ERROR` event (outcome unknown) after cache.transaction.ttl; one that
    restarted and forgot it gets it at the next poll, and /v3/transaction answers the same."""
    with Stack(extra="cache: {transaction: {ttl: 2}}\n") as s:
        _, client = sse(s.base, "?type=transaction.finished")
        wait_for(lambda: s.log_lines("event stream opened"))
        forgotten, = s.write("on")
        s.plugin.kill()  # at once: the plugin's write loop runs every 100 ms, the first poll is after 100 ms
        s.plugin.wait()
        s.plugin = s.start_plugin()
        (_, _, data), = take(client, 1)
        assert (data["transaction"], data["status"]) == (forgotten, "ERROR")
        assert "no longer knows" in data["message"] and "unknown" in data["message"], data
        assert data["last_status"] in ("PENDING", "WRITING", None), data
        status, body = get(s.base, f"/v3/transaction/{forgotten}")
        assert status == 200 and body["status"] == "ERROR" and body["message"] == data["message"], body

        s.kill_plugin()
        started = time.time()
        lost = f"never-{time.time()}"
        status, _ = request(s.base, f"/v3/write/{LED}", "POST", {"action": "state", "data": "on", "transaction": lost})
        assert status == 500  # the plugin is down: not accepted, so never followed
        s.plugin = s.start_plugin()
        wait_for(lambda: get(s.base, f"/v3/read/{LED}")[0] == 200)
        unreachable, = s.write("off")
        s.plugin.kill()
        s.plugin.wait()
        (_, _, data), = take(client, 1)
        assert (data["transaction"], data["status"]) == (unreachable, "ERROR"), data
        assert "not reachable" in data["message"] and "cache.transaction.ttl (2s)" in data["message"], data
        assert time.time() - started >= 2


def test_a_finished_write_stays_finished_after_its_plugin_restarts():
    """A restarted plugin forgets every transaction; the server keeps the final status it saw,
    so a write that ended DONE is still DONE (found by scripts/soak.sh: they came back 500)."""
    with Stack() as s:
        done, = s.write("on")
        wait_for(lambda: get(s.base, f"/v3/transaction/{done}")[1]["status"] == "DONE")
        s.plugin.kill()
        s.plugin.wait()
        s.plugin = s.start_plugin()
        wait_for(lambda: get(s.base, f"/v3/read/{LED}")[0] == 200)
        status, body = get(s.base, f"/v3/transaction/{done}")
        assert (status, body["status"]) == (200, "DONE"), body


def test_filters_select_and_bad_filters_are_400():
    with Stack() as s:
        s.write("on", wait=True)
        queries = {
            "?type=transaction.finished": 1,
            "?type=plugin.active,plugin.inactive": 1,
            "?type=alarm.raised&type=plugin.active": 1,
            f"?plugin={PLUGIN}": 2,
            "?device=emulator-led": 1,  # an alias is the device's ID
            f"?device={LED}&type=plugin.active": 0,
            "?tags=foo/bar": 1,
            f"?tags=foo/bar,system/id:{LED}": 1,
            "?tags=foo/bar,nothing": 0,
            "?severity=critical": 0,  # a filter that matches nothing: heartbeats only
        }
        for query, count in queries.items():
            curl = subprocess.run(["curl", "-sN", "--max-time", "1.5", f"{s.base}/v3/events{query}&last_event_id=0"],
                                  capture_output=True)
            text = curl.stdout.decode()
            assert text.startswith(": heartbeat"), (query, text)
            assert text.count("\nid: ") + text.startswith("id: ") == count, (query, text)

        for query, problem in [("?type=alarm.rasied", "unknown event type 'alarm.rasied'"),
                               ("?severity=severe", "unknown severity 'severe'"),
                               ("?last_event_id=abc", "invalid last_event_id 'abc'"),
                               ("?last_event_id=1&last_event_id=2", "only one last_event_id")]:
            status, body = get(s.base, f"/v3/events{query}")
            assert status == 400, (query, body)
            assert body["http_code"] == 400 and problem in body["context"], body
        response = requests.get(f"{s.base}/v3/events", headers={"Last-Event-ID": "x1"}, timeout=5)
        assert response.status_code == 400 and "invalid Last-Event-ID" in response.json()["context"]
        # A good header does not hide a bad parameter.
        response = requests.get(f"{s.base}/v3/events?last_event_id=abc", headers={"Last-Event-ID": "3"}, timeout=5)
        assert response.status_code == 400 and "invalid last_event_id 'abc'" in response.json()["context"]


def test_websocket_event_stream_filters_resumes_and_stops():
    async def receive(ws):
        return json.loads((await asyncio.wait_for(ws.receive(), 10)).data)

    async def scenario(s):
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{s.port}/v3/connect") as ws:
                # Bad input: an error event, and the connection stays.
                await ws.send_str(json.dumps({"id": 1, "event": "request/event_stream", "data": {"type": ["nope"]}}))
                error = await receive(ws)
                assert error["event"] == "response/error" and error["id"] == 1
                assert "unknown event type 'nope'" in error["data"]["context"]
                await ws.send_str(json.dumps({"id": 2, "event": "request/event_stream", "data": {"last_event_id": "x"}}))
                assert (await receive(ws))["event"] == "response/error"
                # A typo, a data that is not an object or a stop that is not a boolean is refused.
                for data in [{"typ": "alarm.raised"}, "alarm.raised", [1], {"stop": "yes"}, {"stop": 1}]:
                    await ws.send_str(json.dumps({"id": 2, "event": "request/event_stream", "data": data}))
                    refused = await receive(ws)
                    assert refused["event"] == "response/error" and refused["data"]["http_code"] == 400, refused

                await ws.send_str(json.dumps({"id": 3, "event": "request/event_stream",
                                              "data": {"last_event_id": 0, "type": "plugin.active"}}))
                resumed = await receive(ws)
                assert resumed["id"] == 3 and resumed["event"] == "response/event"
                assert resumed["data"]["event"] == "plugin.active" and resumed["data"]["plugin"] == PLUGIN

                await ws.send_str(json.dumps({"id": 4, "event": "request/event_stream",
                                              "data": {"tags": [["foo/bar"]], "type": ["transaction.finished"]}}))
                wait_for(lambda: len(s.log_lines("event stream opened")) == 2)
                s.write("on", wait=True)
                finished = await receive(ws)
                assert finished["id"] == 4 and finished["data"]["event"] == "transaction.finished"
                assert finished["data"]["device"] == LED and finished["data"]["status"] == "DONE"

                await ws.send_str(json.dumps({"id": 5, "event": "request/event_stream", "data": {"stop": True}}))
                # Any line: both streams close at once, and the one that counted open=1 may log last.
                wait_for(lambda: any("open=0" in line for line in s.log_lines("event stream closed")))
                s.write("off", wait=True)
                await ws.send_str(json.dumps({"id": 6, "event": "request/status"}))
                assert (await receive(ws))["id"] == 6
                with pytest.raises(asyncio.TimeoutError):  # the write's event did not come
                    await asyncio.wait_for(ws.receive(), 1.5)

    with Stack() as s:
        run(scenario(s))


def test_a_gone_sse_client_frees_its_stream():
    with Stack() as s:
        curls = [subprocess.Popen(["curl", "-sN", f"{s.base}/v3/events"], stdout=subprocess.DEVNULL) for _ in range(3)]
        wait_for(lambda: any("open=3" in line for line in s.log_lines("event stream opened")))
        for curl in curls:
            curl.kill()
            curl.wait()
        # Noticed at the next write at the latest: one heartbeat (1 s) later.
        wait_for(lambda: len(s.log_lines("event stream closed")) == 3, timeout=5)
        assert "open=0" in s.log_lines("event stream closed")[-1]


def test_shutdown_with_event_streams_open_exits_promptly():
    async def scenario(s):
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"http://127.0.0.1:{s.port}/v3/connect") as ws:
                await ws.send_str(json.dumps({"id": 1, "event": "request/event_stream", "data": {"type": "alarm.raised"}}))
                wait_for(lambda: len(s.log_lines("event stream opened")) == 2)
                started = time.time()
                s.server.terminate()
                while s.server.poll() is None and time.time() - started < 10:
                    await asyncio.sleep(0.05)
                assert s.server.returncode == 0  # not the 8 s shutdown deadline's exit(1)
                assert time.time() - started < 3
                assert (await asyncio.wait_for(ws.receive(), 5)).type == aiohttp.WSMsgType.CLOSE

    s = Stack("heartbeat: 60")  # idle clients: the streams must end without a write failing
    try:
        curl = subprocess.Popen(["curl", "-sN", f"{s.base}/v3/events"], stdout=subprocess.PIPE)
        wait_for(lambda: s.log_lines("event stream opened"))
        run(scenario(s))
        assert curl.wait(timeout=5) == 0  # the response ended cleanly
    finally:
        if s.server.poll() is None:
            s.server.kill()
        stop(s.plugin)
