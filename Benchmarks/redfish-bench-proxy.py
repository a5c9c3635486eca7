#!/usr/bin/env python3
"""Benchmark double (ours, not a Redfish implementation): a proxy in front of one sushy-static
for Benchmarks/bench-redfish.sh.

sushy-static serves a DMTF mockup as files and answers any query with 404, so it cannot show
what `$expand` saves, and it answers at once, unlike a real BMC. This proxy forwards every GET
to it and adds what the benchmark needs:

  --delay S    every answer waits S seconds (a slow BMC: real ones take 1-6 s per request)
  --expand     `?$expand=.($levels=1)` (or `*`) on a collection is answered with each member's
               document in place of its link, fetched from sushy-static; the service root
               advertises ProtocolFeaturesSupported.ExpandQuery {NoLinks, Levels, MaxLevels 1}
  (neither)    the service root advertises no ExpandQuery, so a client never asks

Usage: redfish-bench-proxy.py --port P --upstream http://127.0.0.1:Q [--delay S] [--expand]
"""

import argparse
import json
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--expand", action="store_true")
    args = parser.parse_args()

    def fetch(path):
        try:
            with urllib.request.urlopen(args.upstream + path, timeout=30) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_):
            pass

        def do_GET(self):
            if args.delay:
                time.sleep(args.delay)
            path, _, query = self.path.partition("?")
            status, body = fetch(path)
            if status == 200:
                document = json.loads(body)
                if path.rstrip("/") == "/redfish/v1":
                    features = document.setdefault("ProtocolFeaturesSupported", {})
                    features.pop("ExpandQuery", None)
                    if args.expand:
                        features["ExpandQuery"] = {"NoLinks": True, "Levels": True, "MaxLevels": 1, "ExpandAll": False}
                    body = json.dumps(document).encode()
                elif query.startswith("$expand="):
                    if not args.expand:
                        status, body = 400, b'{"error": {"message": "$expand is not supported"}}'
                    elif isinstance(document.get("Members"), list):
                        members = []
                        for member in document["Members"]:
                            code, data = fetch(member.get("@odata.id", ""))
                            members.append(json.loads(data) if code == 200 else member)
                        document["Members"] = members
                        body = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
