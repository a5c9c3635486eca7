#!/usr/bin/env python3
"""Copies ../shared/fixtures/sysfs into Tests/Fixtures/sysfs and turns back into symlinks the
links that the shared copy stores as small text files holding the link target (a file whose
whole content is a relative path starting with `..`). Real sysfs attribute values never look
like that. Run once when the shared fixtures change; the result is committed."""
import os
import re
import shutil
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
source = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "fixtures" / "sysfs"
target = root / "Tests" / "Fixtures" / "sysfs"
if target.exists():
    shutil.rmtree(target)
shutil.copytree(source, target, symlinks=True)
links = 0
for path in sorted(target.rglob("*")):
    if path.is_file() and not path.is_symlink() and path.stat().st_size < 256:
        text = path.read_bytes().decode(errors="replace")
        if re.fullmatch(r"\.\.(/[^\s]*)?", text):
            path.unlink()
            os.symlink(text.rstrip("/") or text, path)
            links += 1
for path in target.rglob("*"):
    if not path.is_symlink():
        path.chmod(0o755 if path.is_dir() else 0o644)
print(f"copied {source} to {target}; restored {links} symlinks")
