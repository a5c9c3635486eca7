"""TEST DOUBLE of a Redfish service's session login (DSP0266 section 13.3), written by us.

No PyPI Redfish peer implements sessions (sushy-tools answers HTTP Basic only), so the
transport tests log in against this small stand-in. It is not a Redfish implementation: it
serves just enough to exercise a client's session handling, and records what it saw.

    python session_service.py --port PORT --username USER --password-file FILE

Redfish side:
  GET  /redfish/v1/                           service root with Links.Sessions (no auth)
  POST /redfish/v1/SessionService/Sessions    {"UserName","Password"} -> 201, X-Auth-Token,
                                              Location; 401 for wrong credentials
  DELETE /redfish/v1/SessionService/Sessions/N   logout (token required)
  GET  /redfish/v1/Chassis, /redfish/v1/Chassis/1   token required, else 401
  PATCH /redfish/v1/Chassis/1                 token required; records If-Match
  GET  /redfish/v1/Moved                      301 to /redfish/v1/Chassis/1
  GET  /redfish/v1/MovedAway                  302 to http://localhost:PORT/redfish/v1/ (another
                                              origin by name: credentials must not follow)
  GET  /redfish/v1/MovedOutOfRange            302 to http://localhost:99999/ (a port no client can use)
  GET  /redfish/v1/Big                        a 17 MiB JSON body
  GET  /redfish/v1/Busy                       503 with a plain-text body, as some BMCs answer
  GET  /redfish/v1/Dribble                    200 bytes, one every 0.3 s
  anything else                               404 with a Redfish error body
Test side (no auth):
  POST /test/expire                           invalidates every token issued so far
  POST /test/reject-all                       from now on every token is refused
  POST /test/accept                           ends /test/reject-all
  GET  /test/log                              {"logins", "deletes", "requests": [...]}
"""

import argparse
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SESSIONS = "/redfish/v1/SessionService/Sessions"
LOCK = threading.Lock()
STATE = {"tokens": {}, "logins": 0, "deletes": [], "requests": [], "reject_all": False, "next": 1}
CREDENTIALS = {}


def record(handler, method):
    with LOCK:
        STATE["requests"].append({
            "method": method,
            "path": handler.path,
            "headers": {k.lower(): v for k, v in handler.headers.items()},
        })


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass  # the request log would hold credentials; /test/log is the record

    def reply(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message):
        self.reply(status, {"error": {"code": "Base.1.0.GeneralError", "message": message,
                                      "@Message.ExtendedInfo": [{"Message": message}]}})

    def body(self):
        length = int(self.headers.get("Content-Length", 0))
        return self.rfile.read(length) if length else b""

    def authorised(self):
        token = self.headers.get("X-Auth-Token")
        with LOCK:
            ok = token in STATE["tokens"] and not STATE["reject_all"]
        if not ok:
            self.error(401, "session token missing or expired")
        return ok

    def do_GET(self):
        record(self, "GET")
        path = self.path.rstrip("/")
        if path == "/test/log":
            with LOCK:
                self.reply(200, {k: STATE[k] for k in ("logins", "deletes", "requests")})
        elif path == "/redfish/v1":
            self.reply(200, {"@odata.id": "/redfish/v1/", "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot",
                             "Id": "RootService", "Name": "Session test double",
                             "UUID": "00000000-0000-4000-8000-000000000001",
                             "Chassis": {"@odata.id": "/redfish/v1/Chassis"},
                             "SessionService": {"@odata.id": "/redfish/v1/SessionService"},
                             "Links": {"Sessions": {"@odata.id": SESSIONS}}})
        elif not self.authorised():
            return
        elif path == "/redfish/v1/Chassis":
            self.reply(200, {"@odata.id": "/redfish/v1/Chassis", "Members@odata.count": 1,
                             "Members": [{"@odata.id": "/redfish/v1/Chassis/1"}]})
        elif path == "/redfish/v1/Chassis/1":
            self.reply(200, {"@odata.id": "/redfish/v1/Chassis/1", "Id": "1", "Name": "Chassis 1",
                             "IndicatorLED": "Off"}, {"ETag": 'W/"1"'})
        elif path == "/redfish/v1/Moved":
            self.reply(301, None, {"Location": "/redfish/v1/Chassis/1"})
        elif path == "/redfish/v1/MovedAway":
            self.reply(302, None, {"Location": f"http://localhost:{self.server.server_address[1]}/redfish/v1/"})
        elif path == "/redfish/v1/MovedOutOfRange":
            self.reply(302, None, {"Location": "http://localhost:99999/redfish/v1/"})
        elif path == "/redfish/v1/Dribble":
            self.dribble()
        elif path == "/redfish/v1/Busy":
            data = b"Service busy: firmware update in progress\n"
            self.send_response(503)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path == "/redfish/v1/Big":
            self.reply(200, {"Padding": "x" * (17 << 20)})
        else:
            self.error(404, "no resource at " + path)

    def dribble(self):
        """A head at once, then one body byte every 0.3 s: each read is prompt, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "200")
        self.end_headers()
        try:
            for _ in range(200):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass  # the client gave up, as it should

    def do_POST(self):
        record(self, "POST")
        path = self.path.rstrip("/")
        if path == "/test/expire":
            with LOCK:
                STATE["tokens"].clear()
            return self.reply(204)
        if path in ("/test/reject-all", "/test/accept"):
            with LOCK:
                STATE["reject_all"] = path == "/test/reject-all"
            return self.reply(204)
        if path != SESSIONS:
            return self.error(404, "no resource at " + path)
        try:
            login = json.loads(self.body())
        except ValueError:
            return self.error(400, "body is not JSON")
        if login.get("UserName") != CREDENTIALS["user"] or login.get("Password") != CREDENTIALS["password"]:
            return self.error(401, "invalid credentials")
        with LOCK:
            number = STATE["next"]
            STATE["next"] += 1
            STATE["logins"] += 1
            token = secrets.token_hex(16)
            uri = "%s/%d" % (SESSIONS, number)
            STATE["tokens"][token] = uri
        self.reply(201, {"@odata.id": uri, "Id": str(number), "UserName": login["UserName"]},
                   {"X-Auth-Token": token, "Location": uri})

    def do_PATCH(self):
        record(self, "PATCH")
        self.body()
        if self.authorised():
            self.reply(204)

    def do_DELETE(self):
        record(self, "DELETE")
        token = self.headers.get("X-Auth-Token")
        with LOCK:
            uri = STATE["tokens"].get(token)
            if uri == self.path.rstrip("/"):
                del STATE["tokens"][token]
                STATE["deletes"].append(uri)
        if uri == self.path.rstrip("/"):
            self.reply(204)
        else:
            self.error(401, "token does not own " + self.path)


def main():
    parser = argparse.ArgumentParser(description="Redfish session test double")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password-file", required=True)
    args = parser.parse_args()
    CREDENTIALS["user"] = args.username
    with open(args.password_file) as f:
        CREDENTIALS["password"] = f.read().rstrip("\n")
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
