"""The interoperability tests' own layout: shared code lives in helpers.py (functions) and
conftest.py (fixtures), so a test module never imports another test module or conftest
(pytest loads conftest itself; importing a test module runs its module-level code and
collects its fixtures twice)."""
import ast
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent


def imported_modules(path):
    """Top-level module names `path` imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_imports_a_test_module_or_conftest():
    offenders = {
        path.name: sorted(name for name in imported_modules(path) if name.startswith("test_") or name == "conftest")
        for path in sorted(HERE.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_python_requirements_live_beside_the_tests():
    assert (HERE / "requirements.txt").is_file()
    assert not (HERE.parents[1] / "scripts" / "requirements.txt").exists()


def test_docker_build_copies_every_path_the_package_names():
    """The Dockerfile copies the manifest and then chosen folders: each target `path:` of the
    root Package.swift (and the default Sources/ and Tests/) must be in one of them, or the
    image's `swift build` fails on a missing target folder."""
    root = HERE.parents[1]
    copied = re.findall(r"^COPY (?!--)(\S+) ", (root / "Dockerfile").read_text(), flags=re.M)
    paths = re.findall(r'path: "([^"]+)"', (root / "Package.swift").read_text()) + ["Sources", "Tests"]
    missing = [path for path in paths if not any(path == c or path.startswith(c.rstrip("/") + "/") for c in copied)]
    assert missing == []


def test_benchmarks_are_a_package_of_their_own():
    """The root package builds no benchmark executable: they and their scripts are in
    Benchmarks/, whose manifest names only folders that exist."""
    root = HERE.parents[1]
    assert not re.search(r'path: "Benchmarks', (root / "Package.swift").read_text())
    assert list((root / "scripts").glob("bench-*")) == []
    manifest = (root / "Benchmarks" / "Package.swift").read_text()
    paths = re.findall(r'path: "([^"]+)"', manifest)
    assert paths and all((root / "Benchmarks" / path).is_dir() for path in paths if path != "..")
    for script in (root / "Benchmarks").glob("bench-*.sh"):
        for sourced in re.findall(r"^source (\S+)", script.read_text(), flags=re.M):
            assert (root / sourced).is_file(), (script.name, sourced)


def test_tooling_variables_are_not_the_servers():
    """A variable the test tooling reads must not look like server configuration: the server
    warns about every unknown `SYNSE_*` variable, so a `SYNSE_SERVER_BIN` exported for the
    tests would warn in every server they start. Tooling reads `SYNSETEST_*`; the `SYNSE_*`
    names it reads are the server's own (README's table)."""
    root = HERE.parents[1]
    server = set(re.findall(r"`(SYNSE_[A-Z0-9_]+)`", (root / "README.md").read_text()))
    read = re.compile(r"""environ(?:ment)?(?:\.get\(|\[)\s*["'](SYNSE_[A-Z0-9_]+)|\$\{?(SYNSE_[A-Z0-9_]+)""")
    found = {}
    for folder in ("Tests", "scripts", "Benchmarks"):
        for path in (root / folder).rglob("*"):
            if path.suffix in (".py", ".swift", ".sh") and ".build" not in path.parts and path.is_file():
                for match in read.finditer(path.read_text(errors="replace")):
                    found.setdefault(match.group(1) or match.group(2), path.relative_to(root))
    assert {name: str(path) for name, path in found.items() if name not in server} == {}


def test_readme_names_every_source_directory():
    """README's "What is here" names every target folder under Sources/."""
    root = HERE.parents[1]
    section = (root / "README.md").read_text().split("## What is here", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`Sources/([^/`]+)/", section))
    assert sorted(p.name for p in (root / "Sources").iterdir() if p.is_dir() and p.name not in named) == []
