"""A benchmark double (ours, not a peer): UDP forwarding with a fixed one-way delay, so that
ipmi_sim BMCs on loopback answer with the round-trip time of BMCs on a network
(Benchmarks/bench-ipmi.sh). Each `--map LISTEN:UPSTREAM` forwards datagrams from 127.0.0.1:LISTEN
to 127.0.0.1:UPSTREAM, each after DELAY ms, and the answers back after DELAY ms; one upstream
socket per client, so sessions stay apart.
"""
import argparse
import asyncio


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, downstream, client, delay):
        self.downstream, self.client, self.delay = downstream, client, delay

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, _):
        asyncio.get_running_loop().call_later(self.delay, self.downstream.sendto, data, self.client)


class Listener(asyncio.DatagramProtocol):
    def __init__(self, upstream_port, delay):
        self.upstream_port, self.delay, self.clients = upstream_port, delay, {}

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, client):
        upstream = self.clients.get(client)
        if upstream is None:
            asyncio.ensure_future(self.connect(data, client))
        else:
            asyncio.get_running_loop().call_later(self.delay, upstream.sendto, data)

    async def connect(self, data, client):
        upstream, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: Upstream(self.transport, client, self.delay), remote_addr=("127.0.0.1", self.upstream_port))
        self.clients[client] = upstream
        asyncio.get_running_loop().call_later(self.delay, upstream.sendto, data)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--map", action="append", required=True, help="LISTEN:UPSTREAM")
    args = parser.parse_args()
    loop = asyncio.get_running_loop()
    for mapping in args.map:
        listen, upstream = (int(p) for p in mapping.split(":"))
        await loop.create_datagram_endpoint(lambda u=upstream: Listener(u, args.delay_ms / 1000), local_addr=("127.0.0.1", listen))
    print("ready", flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
