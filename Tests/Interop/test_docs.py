"""Every specification the code cites is in the repository: a `docs/<name>.md` named in
the sources, plugins, tests, examples, README or openapi.yaml exists, and no file names a
spec without its `docs/` folder or by its old place outside the repository."""
import re
import subprocess

from helpers import ROOT

SPECS = r"(?:api-v3|plugin-protocol|hwmon|websocket)\.md"
PLACES = ["Sources", "plugins", "Tests", "examples", "protos", "Benchmarks", "scripts", "README.md", "openapi.yaml"]


def repository_texts():
    """(path, text) of every tracked or new file in PLACES, except docs and binary files."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", *PLACES],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    for name in filter(None, listed):
        path = ROOT / name
        if path.is_file() and "/Fixtures/" not in name:
            try:
                yield name, path.read_text()
            except UnicodeDecodeError:
                continue


def test_every_docs_reference_names_an_existing_file():
    missing = sorted({(name, ref) for name, text in repository_texts()
                      for ref in re.findall(r"\bdocs/[\w./-]*?\.md\b", text) if not (ROOT / ref).is_file()})
    assert missing == []


def test_specs_are_named_by_their_place_in_docs():
    bare = sorted({(name, match.group(0)) for name, text in repository_texts()
                   for match in re.finditer(r"(?:\.\./shared/spec/|(?<![\w/.-]))" + SPECS, text)})
    assert bare == []


def test_websocket_doc_covers_every_event_the_server_knows():
    """Each request event of WebSocketEvent.swift (and read_stream and event_stream, handled beside it) has a
    row in docs/websocket.md naming its reply event."""
    source = (ROOT / "Sources" / "SynseServer" / "WebSocket" / "WebSocketEvent.swift").read_text()
    requests = dict(re.findall(r'case (\w+) = "(request/\w+)"', source))
    rows = {row.split("|")[1].strip(" `"): row for row in (ROOT / "docs/websocket.md").read_text().splitlines()
            if row.startswith("| `request/")}
    assert requests and set(rows) == set(requests.values()) | {"request/read_stream", "request/event_stream"}
    for case, event in requests.items():
        reply = next(reply for name, reply in re.findall(r'case ([.\w ,]+): return "(response/\w+)"', source)
                     if f".{case}" in name.replace(" ", "").split(","))
        assert f"`{reply}`" in rows[event], (event, reply)
