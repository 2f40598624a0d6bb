"""Do two versions of the program make the same files? For refactoring: a change that
should not change behaviour must leave every output byte for byte as it was.

    python -m tests.same_outputs REV      # this checkout against git revision REV

Builds the shipped guide and the test guides (every output, the print-shop edition too)
with the code at REV (a temporary git worktree) and with the code here, in the same
Python environment, and compares every file's SHA-256 and the warnings each build
printed. Exit status 1 if anything differs.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ["manuscript/muscle-spasms.md", "tests/fixtures/ankle-sprain/ankle-sprain.md",
          "tests/fixtures/hard-guide/hard-guide.md", "tests/fixtures/constructs/constructs.md"]


def build_all(code: Path, out: Path) -> dict[str, str]:
    """Every guide built by the program in ``code`` into ``out``: {file: sha256}, and the
    warnings under "<guide>.log" (timings and the output folder's name left out)."""
    found = {}
    for guide in GUIDES:
        name = Path(guide).stem
        target = out / name
        run = subprocess.run([sys.executable, "-m", "publish", "build", str(ROOT / guide),
                              "--out", str(target), "--press", "--no-cache"], cwd=code,
                             capture_output=True, text=True, check=False)
        text = re.sub(r"\d+(\.\d+)? s\b", "T s", run.stdout + run.stderr)
        text = text.replace(f"{ROOT}/", "")  # paths are shown relative to the current folder
        found[f"{name}.log"] = "\n".join(sorted(text.replace(str(target), "OUT").splitlines()))
        found[f"{name}.exit"] = str(run.returncode)
        for path in sorted(target.rglob("*")):
            if path.is_file():
                found[str(path.relative_to(out))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def compare(revision: str) -> list[str]:
    with tempfile.TemporaryDirectory() as temp:
        old_code = Path(temp) / "code"
        subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(old_code),
                        revision], cwd=ROOT, check=True)
        try:
            before = build_all(old_code, Path(temp) / "before")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old_code)], cwd=ROOT,
                           check=True)
        after = build_all(ROOT, Path(temp) / "after")
    files = sorted(before.keys() | after.keys())
    print(f"{len([f for f in files if not f.endswith(('.log', '.exit'))])} files compared")
    return [name for name in files if before.get(name) != after.get(name)]


def main(args: list[str]) -> int:
    differ = compare(args[0] if args else "HEAD")
    for name in differ:
        print(f"differs: {name}")
    print("identical" if not differ else f"{len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
