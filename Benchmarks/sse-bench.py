#!/usr/bin/env python3
"""Benchmark client (not a test) for Benchmarks/bench-health.sh: SSE subscribers of a real
synse-server's `GET /v3/events`, timed against the plugin's own readings.

The reference is a direct gRPC `ReadStream` to the plugin, in a process of its own, opened
before the server starts (start this client first: it waits for the server), so that the
plugin hands each reading to it no later than to the server; it notes (time.monotonic(),
CLOCK_MONOTONIC, shared by every process of the machine) when each device's value changes. An alarm event `(device, value)` received at t is matched with the
latest change of that device to that value at or before t, so its latency is
t - (the plugin's reading reached a client). Subscribers are spread over processes (asyncio
in each) so that the client's own parsing is not the bottleneck being measured.

    sse-bench.py latency SERVER PLUGIN --subscribers 100 --seconds 30
        p50/p99/max of every alarm event delivered to every subscriber
    sse-bench.py storm SERVER PLUGIN --subscribers 100 --sensors 1000 --server-pid-file FILE
        waits for `sensors` alarm.raised and `sensors` alarm.cleared per subscriber; prints
        what each got, events missed, the storm's delivery time and the server's RSS

SERVER is http://host:port, PLUGIN host:port. Exits non-zero when a storm is not delivered
in full to every subscriber.
"""
import argparse
import asyncio
import bisect
import json
import multiprocessing
import sys
import time
import urllib.request

import aiohttp

ALARMS = "alarm.raised,alarm.cleared,alarm.changed"


def reference(plugin, tag, until, ready, stop, out):
    """Runs in its own process: {device: [(t, value)]} of every value change (of the devices
    with `tag`, if given) until `until` or `stop`; `ready` once the first reading came."""
    from synse_grpc import client
    api = client.PluginClientV3(plugin, "tcp", timeout=5)
    changes, last = {}, {}
    for reading in api.read_stream(tag_groups=[[tag]] if tag else None):
        now = time.monotonic()
        ready.set()
        kind = reading.WhichOneof("value")
        value = float(getattr(reading, kind)) if kind and kind not in ("string_value", "bytes_value") else None
        if value is not None and last.get(reading.id) != value:
            last[reading.id] = value
            changes.setdefault(reading.id, []).append((now, value))
        if now > until or stop.is_set():
            break
    out.put(changes)


async def subscribe(session, url, until, expected, received, connected):
    """One subscriber: [(t, kind, device, value)] of alarm events, and frames of missed events.

    While listening it only notes each chunk with its arrival time; the frames are parsed
    afterwards, so that with many subscribers per process the client's own parsing does not
    delay the next chunk's timestamp (it did: p50 80 ms at 100 subscribers, -2 ms at one)."""
    chunks, cleared = [], 0
    async with session.get(url, timeout=aiohttp.ClientTimeout(total=None, sock_read=None)) as response:
        assert response.status == 200, response.status
        connected()
        while time.monotonic() < until:
            try:
                chunk = await asyncio.wait_for(response.content.readany(), timeout=max(0.1, until - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not chunk:
                break
            chunks.append((time.monotonic(), chunk))
            if expected:
                cleared += chunk.count(b"event: alarm.cleared")
                if cleared >= expected:
                    break
    received.append(parse(chunks))


def parse(chunks):
    """(events, missed) from timestamped chunks of an SSE stream; an event is timed by the
    chunk that completed it."""
    events, missed, kind, pending = [], 0, None, b""
    for now, chunk in chunks:
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.startswith(b"event: "):
                kind = line[7:].strip().decode()
            elif line.startswith(b"data: "):
                data = json.loads(line[6:])
                if kind == "events.missed":
                    missed += data["missed"]
                else:
                    events.append((now, kind, data.get("device"), data.get("value")))
    return events, missed


def subscriber_process(url, count, until, expected, ready, out):
    """`count` subscribers in one asyncio loop; puts [(events, missed)] when done."""
    async def main():
        received, opened = [], []
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            tasks = [asyncio.create_task(subscribe(session, url, until, expected, received, lambda: opened.append(1)))
                     for _ in range(count)]
            while len(opened) < count:
                await asyncio.sleep(0.05)
            ready.set()
            await asyncio.gather(*tasks)
        return received
    out.put(asyncio.run(main()))


def rss(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith(field + ":"))
    return f"{kib / 1024:.1f} MiB"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def latencies(subscribers, changes):
    """Milliseconds from each event's cause to its receipt, for every subscriber's alarm
    events; and the events without a cause. The cause is the change of the event's device to
    the event's value nearest in time: the server can pass an event on before the reference
    process has noted the same reading (a negative latency, kept as measured)."""
    index = {device: ([t for t, _ in seen], [v for _, v in seen]) for device, seen in changes.items()}
    result, unmatched = [], 0
    for events, _ in subscribers:
        for received, _, device, value in events:
            times, values = index.get(device, ([], []))
            split = bisect.bisect_right(times, received)
            before = next((times[i] for i in range(split - 1, -1, -1) if values[i] == value), None)
            after = next((times[i] for i in range(split, len(times)) if values[i] == value), None)
            causes = [c for c in (before, after) if c is not None]
            if value is None or not causes:
                unmatched += 1
            else:
                result.append((received - min(causes, key=lambda c: abs(received - c))) * 1000)
    return result, unmatched


def wait_for_server(args):
    """Polls until the server lists devices (and its PID file is written, if named)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{args.server}/v3/scan", timeout=5) as response:
                if json.loads(response.read()) and (not args.server_pid_file or open(args.server_pid_file).read().strip()):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"no server at {args.server} within 120 s")


def run(args, seconds, expected):
    ctx = multiprocessing.get_context("spawn")
    ready_ref, stop_ref, ref_out = ctx.Event(), ctx.Event(), ctx.Queue()
    ref = ctx.Process(target=reference, args=(args.plugin, args.tag, time.monotonic() + seconds + 150, ready_ref, stop_ref, ref_out))
    ref.start()
    if not ready_ref.wait(30):
        sys.exit(f"no reading from the plugin's ReadStream at {args.plugin} within 30 s")
    print("   reference stream open", flush=True)
    wait_for_server(args)
    time.sleep(args.settle)
    until = time.monotonic() + seconds
    url = f"{args.server}/v3/events?type={ALARMS}"
    per = [args.subscribers // args.processes + (1 if i < args.subscribers % args.processes else 0) for i in range(args.processes)]
    outs, workers, readies = [], [], []
    for count in per:
        ready, out = ctx.Event(), ctx.Queue()
        worker = ctx.Process(target=subscriber_process, args=(url, count, until, expected, ready, out))
        worker.start()
        workers.append(worker), outs.append(out), readies.append(ready)
    for ready in readies:
        if not ready.wait(60):
            sys.exit("subscribers did not connect within 60 s")
    return ref, stop_ref, ref_out, workers, outs


def collect(ref, stop_ref, ref_out, workers, outs):
    subscribers = [s for out in outs for s in out.get()]
    stop_ref.set()
    changes = ref_out.get()
    for process in workers + [ref]:
        process.join(10)
    return subscribers, changes


def latency(args):
    subscribers, changes = collect(*run(args, args.seconds, 0))
    values, unmatched = latencies(subscribers, changes)
    events = sum(len(events) for events, _ in subscribers)
    print(f"   {len(subscribers)} subscribers, {events} alarm events ({events / max(1, len(subscribers)):.0f} each), "
          f"{sum(m for _, m in subscribers)} missed, {unmatched} without a matching plugin reading")
    print(f"   plugin reading -> SSE event: p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms, "
          f"max {max(values, default=float('nan')):.1f} ms; min {min(values, default=float('nan')):.1f} ms ({sum(v < 0 for v in values)} events before the reference saw the reading)")


def storm(args):
    handles = run(args, args.timeout, args.sensors)
    with urllib.request.urlopen(f"{args.server}/v3/alarms", timeout=10) as response:
        active = json.loads(response.read())
    if active:
        sys.exit(f"{len(active)} alarms active before every subscriber was connected: start the storm later")
    pid = int(open(args.server_pid_file).read())
    before = rss(pid)
    print(f"   {args.subscribers} subscribers connected; server RSS before the storm {before}")
    subscribers, changes = collect(*handles)
    complete = 0
    for events, missed in subscribers:
        raised = {device for _, kind, device, _ in events if kind == "alarm.raised"}
        cleared = {device for _, kind, device, _ in events if kind == "alarm.cleared"}
        complete += len(raised) == args.sensors and len(cleared) == args.sensors and missed == 0
    firsts = [min(t for t, kind, _, _ in events if kind == "alarm.raised") for events, _ in subscribers if events]
    lasts = [max(t for t, kind, _, _ in events if kind == "alarm.raised") for events, _ in subscribers if events]
    values, unmatched = latencies(subscribers, changes)
    print(f"   storm of {args.sensors} alarms raised then cleared: {complete} of {len(subscribers)} subscribers got every "
          f"one ({sum(len(e) for e, _ in subscribers)} events, {sum(m for _, m in subscribers)} missed)")
    if firsts:
        print(f"   first to last raised event at the slowest subscriber: {(max(lasts) - min(firsts)) * 1000:.0f} ms; "
              f"plugin reading -> event p50 {percentile(values, 0.5):.0f} ms, p99 {percentile(values, 0.99):.0f} ms "
              f"({unmatched} unmatched)")
    print(f"   server RSS before {before}, after {rss(pid)}, peak {rss(pid, 'VmHWM')}")
    if complete != len(subscribers) or len(subscribers) != args.subscribers:
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["latency", "storm"])
    parser.add_argument("server")
    parser.add_argument("plugin")
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30, help="latency: how long to listen")
    parser.add_argument("--sensors", type=int, default=1000, help="storm: alarms each subscriber must get")
    parser.add_argument("--timeout", type=float, default=90, help="storm: give up after this many seconds")
    parser.add_argument("--server-pid-file", help="storm: a file the server's PID is written to, for its RSS")
    parser.add_argument("--tag", help="the reference stream follows only the devices with this tag")
    parser.add_argument("--settle", type=float, default=3, help="seconds after the server lists devices (stream live)")
    args = parser.parse_args()
    (latency if args.mode == "latency" else storm)(args)


if __name__ == "__main__":
    main()
