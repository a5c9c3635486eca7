"""Soak and fault run of the real server (issue 22; run by scripts/soak.sh, which builds first).

For DURATION seconds, on loopback only: HTTP reads, scans and writes, 50 WebSocket read
streams, SSE subscribers and /metrics scrapes run against synse-server and two emulator
plugins, while plugin A is killed (SIGKILL) and restarted every KILL_EVERY seconds and plugin
B is stopped (SIGSTOP) for STOP_FOR seconds every STOP_EVERY seconds. Every 10 s it records the
server's RSS and open descriptors. At the end it checks that every accepted write ended DONE or
ERROR, that no request outlived its deadline, and that memory and descriptors came back to
their level; it prints the figures (and writes them as JSON) and exits 1 if a check failed.

Memory's level is the one after WARMUP seconds of load, not before it: the server keeps the
latest `events.journal_size` events (about 2 KB each) and every write transaction for
`cache.transaction.ttl`, by design, so RSS rises until those bounded stores are full. The soak
makes them small (JOURNAL_SIZE events, TRANSACTION_TTL seconds) so that they fill within the
warm-up, and
a leak shows as RSS still rising after the warm-up. The start level is reported too.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".build" / "debug"
DEVICES = ROOT / "plugins" / "emulator" / "config" / "client-integration" / "devices.yaml"
DEADLINE = 10.0  # seconds any one request may take before it counts as hung


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Plugin:
    def __init__(self, name, work):
        self.name, self.port = name, free_port()
        self.directory = work / name
        self.directory.mkdir()
        (self.directory / "config.yml").write_text(
            "version: 3\n"
            f"network: {{type: tcp, address: '127.0.0.1:{self.port}'}}\n"
            "settings: {read: {interval: 200ms}, write: {interval: 100ms}, cache: {enabled: true, ttl: 1m}}\n"
            f"id: {{useCustom: [soak-{name}]}}\nhealth: {{healthFile: ''}}\n")
        self.process = None
        self.start()

    def start(self):
        env = dict(os.environ, PLUGIN_CONFIG=str(self.directory / "config.yml"), PLUGIN_DEVICE_CONFIG=str(DEVICES))
        log = open(self.directory / "plugin.log", "ab")
        self.process = subprocess.Popen([str(BIN / "synse-emulator-plugin")], env=env, cwd=self.directory, stdout=log, stderr=log)


class Stats:
    def __init__(self):
        self.latencies = {}  # endpoint -> [seconds]
        self.errors = {}  # endpoint -> count of non-2xx/refused (expected during faults)
        self.hung = {}  # endpoint -> requests past DEADLINE
        self.writes_accepted = []  # transaction ids
        self.final = {}  # transaction -> status
        self.error_reasons = {}  # message of ERROR transactions -> count
        self.samples = []  # (t, rss_kib, fds)
        self.recoveries = []  # seconds from a plugin's restart to its devices reading again
        self.stops = 0
        self.stream_messages = 0
        self.sse_events = 0
        self.last_event_id = 0  # the journal's newest event ID seen: how many it has held

    def record(self, endpoint, seconds, ok):
        self.latencies.setdefault(endpoint, []).append(seconds)
        if not ok:
            self.errors[endpoint] = self.errors.get(endpoint, 0) + 1


def sample(pid):
    rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


async def timed(stats, endpoint, call):
    started = time.monotonic()
    try:
        ok = await asyncio.wait_for(call(), DEADLINE)
    except asyncio.TimeoutError:
        stats.hung[endpoint] = stats.hung.get(endpoint, 0) + 1
        ok = False
    except (aiohttp.ClientError, ConnectionError):
        ok = False
    stats.record(endpoint, time.monotonic() - started, ok)
    return ok


async def http_load(session, base, stats, stop, devices, leds):
    async def get(path):
        async with session.get(base + path) as response:
            await response.read()
            return response.status == 200

    index = 0
    while not stop.is_set():
        index += 1
        device = devices[index % len(devices)]
        await timed(stats, "GET /v3/read", lambda: get("/v3/read"))
        await timed(stats, "GET /v3/read/{id}", lambda: get(f"/v3/read/{device}"))
        if index % 5 == 0:
            await timed(stats, "GET /v3/scan", lambda: get("/v3/scan"))
        if index % 10 == 0:
            await timed(stats, "GET /v3/plugin/health", lambda: get("/v3/plugin/health"))
        await asyncio.sleep(0.02)


async def write_load(session, base, stats, stop, leds):
    index = 0
    while not stop.is_set():
        index += 1
        led = leds[index % len(leds)]

        async def write():
            body = [{"action": "state", "data": "on" if index % 2 else "off"}]
            async with session.post(f"{base}/v3/write/{led}", json=body) as response:
                payload = await response.json(content_type=None)
                if response.status == 200:
                    stats.writes_accepted.extend(item["id"] for item in payload)
                    return True
                return False

        await timed(stats, "POST /v3/write/{id}", write)
        await asyncio.sleep(0.2)


async def settle_writes(stats, deadline):
    """Waits until every accepted write's `transaction.finished` event came (or the deadline)."""
    while time.monotonic() < deadline and any(t not in stats.final for t in stats.writes_accepted):
        await asyncio.sleep(1)


async def websocket_stream(session, base, stats, stop, number):
    while not stop.is_set():
        try:
            async with session.ws_connect(base + "/v3/connect", heartbeat=20) as ws:
                await ws.send_json({"id": number, "event": "request/read_stream", "data": {}})
                while not stop.is_set():
                    try:
                        message = await asyncio.wait_for(ws.receive(), 1)
                    except asyncio.TimeoutError:
                        continue
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    stats.stream_messages += 1
        except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
            stats.record("WS /v3/connect", 0, False)
            await asyncio.sleep(1)


async def sse_lines(session, url, stop, headers=None):
    """The lines of an SSE stream until `stop` is set or the stream ends; None when refused."""
    async with session.get(url, headers=headers or {}, timeout=aiohttp.ClientTimeout(total=None, sock_read=60)) as response:
        if response.status != 200:
            yield None
            return
        while not stop.is_set():
            try:
                line = await asyncio.wait_for(response.content.readline(), 1)
            except asyncio.TimeoutError:
                continue
            if not line:
                return
            yield line.decode().rstrip("\n")


async def sse_subscriber(session, base, stats, stop):
    while not stop.is_set():
        try:
            async for line in sse_lines(session, base + "/v3/events", stop):
                if line is None:
                    stats.record("GET /v3/events", 0, False)
                    await asyncio.sleep(1)
                elif line.startswith("event:"):
                    stats.sse_events += 1
        except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError):
            await asyncio.sleep(1)


async def finished_events(session, base, stats, done):
    """Every `transaction.finished` event (one per accepted write, docs/api-v3.md §11): a write
    has ended when its event came, whatever the transaction cache's TTL has forgotten since."""
    url = base + "/v3/events?type=transaction.finished"
    last_id = None
    while not done.is_set():
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            data = None
            async for text in sse_lines(session, url, done, headers):
                if text is None:
                    await asyncio.sleep(1)
                elif text.startswith("id:"):
                    last_id = text[3:].strip()
                    stats.last_event_id = max(stats.last_event_id, int(last_id))
                elif text.startswith("data:"):
                    data = json.loads(text[5:])
                elif text == "" and data:
                    stats.final[data["transaction"]] = data["status"]
                    if data["status"] == "ERROR":
                        reason = data.get("message", "")[:120]
                        stats.error_reasons[reason] = stats.error_reasons.get(reason, 0) + 1
                    data = None
        except (aiohttp.ClientError, ConnectionError, asyncio.TimeoutError, ValueError):
            await asyncio.sleep(1)


async def scrapes(session, base, stats, stop):
    async def scrape():
        async with session.get(base + "/metrics") as response:
            await response.read()
            return response.status == 200

    while not stop.is_set():
        await timed(stats, "GET /metrics", scrape)
        await asyncio.sleep(5)


async def monitor(pid, stats, stop, started):
    while not stop.is_set():
        stats.samples.append((round(time.monotonic() - started), *sample(pid), stats.last_event_id))
        try:
            await asyncio.wait_for(stop.wait(), 10)
        except asyncio.TimeoutError:
            pass


async def faults(session, base, plugins, stats, stop, args, a_devices):
    a, b = plugins
    next_kill, next_stop = time.monotonic() + args.kill_every, time.monotonic() + args.stop_every
    while not stop.is_set():
        await asyncio.sleep(1)
        now = time.monotonic()
        if now >= next_kill:
            next_kill = now + args.kill_every
            a.process.send_signal(signal.SIGKILL)
            a.process.wait()
            await asyncio.sleep(5)
            a.start()
            restarted = time.monotonic()
            while not stop.is_set() and time.monotonic() - restarted < 120:
                try:
                    async with session.get(f"{base}/v3/read/{a_devices[0]}") as response:
                        if response.status == 200 and await response.json(content_type=None):
                            stats.recoveries.append(round(time.monotonic() - restarted, 2))
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        if now >= next_stop:
            next_stop = now + args.stop_every
            b.process.send_signal(signal.SIGSTOP)
            stats.stops += 1
            await asyncio.sleep(args.stop_for)
            b.process.send_signal(signal.SIGCONT)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0


async def main(args):
    work = Path(tempfile.mkdtemp(prefix="synse-soak-"))
    plugins = []
    try:
        return await soak(args, work, plugins)
    finally:
        for process in [p.process for p in plugins] + [SERVER.get("process")]:
            if process and process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()


SERVER = {}


async def soak(args, work, plugins):
    plugins += [Plugin("a", work), Plugin("b", work)]
    port = free_port()
    (work / "server.yml").write_text(
        "logging: info\npretty_json: false\ngrpc: {timeout: 3}\n"
        f"plugin: {{tcp: ['127.0.0.1:{plugins[0].port}', '127.0.0.1:{plugins[1].port}']}}\n"
        f"cache: {{plugin: {{refresh_every: 10}}, device: {{rebuild_every: 30}}, transaction: {{ttl: {args.transaction_ttl}}}}}\n"
        "metrics: {enabled: true, readings: true}\n"
        f"events: {{journal_size: {args.journal_size}}}\n")
    server_log = open(work / "server.log", "wb")
    server = subprocess.Popen([str(BIN / "synse-server"), "--config", str(work / "server.yml"), "--host", "127.0.0.1", "--port", str(port)],
                              cwd=work, stdout=server_log, stderr=server_log)
    SERVER["process"] = server
    base = f"http://127.0.0.1:{port}"
    stats = Stats()
    failures = []
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=DEADLINE * 2)) as session:
        for _ in range(100):
            try:
                async with session.get(base + "/v3/scan") as response:
                    devices = await response.json(content_type=None) if response.status == 200 else []
                    if len({d["plugin"] for d in devices}) == 2:
                        break
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
        else:
            sys.exit("soak: the server did not see both plugins")
        ids = [d["id"] for d in devices]
        leds = [d["id"] for d in devices if d["type"] == "led"]
        plugin_a = None
        for plugin_id in {d["plugin"] for d in devices}:
            async with session.get(f"{base}/v3/plugin/{plugin_id}") as response:
                if (await response.json(content_type=None))["network"]["address"].endswith(f":{plugins[0].port}"):
                    plugin_a = plugin_id
        a_devices = [d["id"] for d in devices if d["plugin"] == plugin_a]
        await asyncio.sleep(5)
        start_sample = sample(server.pid)
        started = time.monotonic()
        stop = asyncio.Event()
        done = asyncio.Event()
        follower = asyncio.create_task(finished_events(session, base, stats, done))
        await asyncio.sleep(1)
        tasks = [asyncio.create_task(monitor(server.pid, stats, stop, started))]
        tasks += [asyncio.create_task(http_load(session, base, stats, stop, ids, leds)) for _ in range(4)]
        tasks += [asyncio.create_task(write_load(session, base, stats, stop, leds))]
        tasks += [asyncio.create_task(websocket_stream(session, base, stats, stop, n)) for n in range(args.streams)]
        tasks += [asyncio.create_task(sse_subscriber(session, base, stats, stop)) for _ in range(args.sse)]
        tasks += [asyncio.create_task(scrapes(session, base, stats, stop))]
        tasks += [asyncio.create_task(faults(session, base, plugins, stats, stop, args, a_devices))]
        await asyncio.sleep(args.duration)
        stop.set()
        await asyncio.wait(tasks, timeout=DEADLINE * 3)
        for plugin in plugins:
            plugin.process.send_signal(signal.SIGCONT)
        await settle_writes(stats, time.monotonic() + 90)
        done.set()
        await asyncio.wait([follower], timeout=5)
    # Quiet again: the level memory and descriptors should come back to.
    await asyncio.sleep(20)
    end_sample = sample(server.pid)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        server.kill()
        failures.append("the server did not stop within 15 s of SIGTERM")
    for plugin in plugins:
        plugin.process.send_signal(signal.SIGCONT)
        plugin.process.terminate()
        plugin.process.wait()

    peak_rss = max(s[1] for s in stats.samples)
    warm = [s for s in stats.samples if s[0] >= args.warmup] or stats.samples[-1:]  # the argument check leaves samples after it
    warm_rss = warm[0][1]
    peak_fds = max(s[2] for s in stats.samples)
    finished = {t: s for t, s in stats.final.items() if s in ("DONE", "ERROR")}
    report = {
        "duration_s": args.duration,
        "requests": {endpoint: len(values) for endpoint, values in stats.latencies.items()},
        "refused_or_failed": stats.errors,
        "hung_past_deadline": stats.hung,
        "p50_ms": {endpoint: round(percentile(values, 0.5) * 1000, 1) for endpoint, values in stats.latencies.items()},
        "p99_ms": {endpoint: round(percentile(values, 0.99) * 1000, 1) for endpoint, values in stats.latencies.items()},
        "writes_accepted": len(stats.writes_accepted),
        "writes_finished": len(finished),
        "writes_done": sum(1 for s in finished.values() if s == "DONE"),
        "writes_error": sum(1 for s in finished.values() if s == "ERROR"),
        "write_error_reasons": stats.error_reasons,
        "writes_unfinished": [t for t in stats.writes_accepted if t not in finished][:20],
        "samples_t_rss_fds_events": stats.samples,
        "stream_messages": stats.stream_messages,
        "sse_events": stats.sse_events,
        "rss_kib": {"start": start_sample[0], "warm": warm_rss, "peak": peak_rss, "end": end_sample[0]},
        "rss_after_warmup_kib": {"first": warm_rss, "last_under_load": stats.samples[-1][1]},
        "journal": {"size": args.journal_size, "events_published": stats.last_event_id},
        "fds": {"start": start_sample[1], "peak": peak_fds, "end": end_sample[1]},
        "plugin_kills": len(stats.recoveries), "recovery_s": stats.recoveries, "plugin_stops": stats.stops,
        "server_exit": server.returncode,
        "work": str(work),
    }
    if stats.hung:
        failures.append(f"requests hung past {DEADLINE} s: {stats.hung}")
    if len(finished) != len(stats.writes_accepted):
        failures.append(f"{len(stats.writes_accepted) - len(finished)} accepted writes never ended DONE or ERROR")
    if end_sample[1] > start_sample[1] + 10:
        failures.append(f"descriptors did not come back: {start_sample[1]} at the start, {end_sample[1]} at the end")
    events_at_warm = warm[0][3]
    if events_at_warm < args.journal_size:
        failures.append(f"the event journal was not full after the warm-up ({events_at_warm} of {args.journal_size} events): "
                        "the warm level means nothing (a smaller --journal-size or a longer --warmup)")
    if end_sample[0] > warm_rss * 1.1 + 5_000:
        failures.append(f"RSS did not come back: {warm_rss} KiB after the warm-up, {end_sample[0]} KiB at the end")
    report["failures"] = failures
    Path(args.report).write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=1800, help="seconds of load (default 1800)")
    parser.add_argument("--kill-every", type=int, default=180, help="seconds between kills of plugin A (default 180)")
    parser.add_argument("--stop-every", type=int, default=240, help="seconds between SIGSTOPs of plugin B (default 240)")
    parser.add_argument("--stop-for", type=int, default=20, help="seconds plugin B stays stopped (default 20)")
    parser.add_argument("--streams", type=int, default=50, help="WebSocket read streams (default 50)")
    parser.add_argument("--sse", type=int, default=5, help="SSE subscribers of /v3/events (default 5)")
    parser.add_argument("--journal-size", type=int, default=None,
                        help="the server's events.journal_size (default: 1000, or 3 per second of a shorter warm-up: a write is ~4 a second)")
    parser.add_argument("--transaction-ttl", type=int, default=None, help="the server's cache.transaction.ttl, seconds (default 60, or the warm-up if shorter)")
    parser.add_argument("--warmup", type=int, default=None,
                        help="seconds of load before memory's level is taken (default: 300, or a third of a shorter run; at least --transaction-ttl)")
    parser.add_argument("--report", default="soak-report.json", help="where the JSON report goes (default soak-report.json)")
    arguments = parser.parse_args()
    if arguments.warmup is None:
        arguments.warmup = min(300, arguments.duration // 3)
    if arguments.transaction_ttl is None:
        arguments.transaction_ttl = max(1, min(60, arguments.warmup))
    if arguments.journal_size is None:
        arguments.journal_size = max(1, min(1000, 3 * arguments.warmup))
    if arguments.warmup < arguments.transaction_ttl or arguments.warmup + 30 > arguments.duration:
        parser.error(f"--warmup ({arguments.warmup} s) must be at least --transaction-ttl ({arguments.transaction_ttl} s), "
                     f"so that the transaction cache is full when memory's level is taken, and 30 s shorter than --duration "
                     f"({arguments.duration} s), so that there is load after it to judge")
    sys.exit(asyncio.run(main(arguments)))
