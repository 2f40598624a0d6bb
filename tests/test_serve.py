"""`publish serve` and the change filter `publish build --watch` shares with it.

The server runs as a real subprocess on a free port and is asked for pages over HTTP;
its output is read by a thread, so every wait has a deadline, and each test runs under an
alarm besides: nothing here can hang the suite.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from guidepress.errors import Diagnostic
from guidepress.serve import BuildInputs, edits, outcome, problem_page

from .conftest import ROOT, TEST_GUIDE

TEST_LIMIT = 240  # seconds for one test: builds are slow on a busy machine, hangs are worse
BUILD_WAIT = 120  # seconds to wait for one build's line
BROKEN = ("## How bad is it? {#how-bad}", "## How bad is it? {#what-happens}")


@pytest.fixture(autouse=True)
def time_limit() -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the test took more than {TEST_LIMIT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TEST_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def private_temp(tmp_path: Path) -> dict[str, str]:
    """The environment for a `publish` subprocess whose temporary folders all land in a
    fresh folder of this test, so the test can see what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(folder)}


class Server:
    """`publish serve ARGS --port P` in the background."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "publish.py"), "serve", *args, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = BUILD_WAIT) -> re.Match:
        """The next output line that matches ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            self.seen.append(line)
            if found := re.search(pattern, line):
                return found
        raise AssertionError(f"never saw {pattern!r}; got {self.seen}")

    def get(self, path: str) -> tuple[int, dict, str]:
        """Status, headers and text of a page, error pages included."""
        try:
            with urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def stop(self, how: int = signal.SIGINT) -> int:
        self.process.send_signal(how)
        return self.process.wait(timeout=30)


@contextlib.contextmanager
def serving(args: list[str], env: dict[str, str]) -> Iterator[Server]:
    server = Server(args, env)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=10)


def save_again(path: Path, text: str) -> None:
    time.sleep(1.5)  # the watcher starts just after the server says "serving"
    path.write_text(text, encoding="utf-8")


# -- the port --------------------------------------------------------------------------


def test_a_port_in_use_is_one_line_and_exit_1_before_any_build(tmp_path):
    env = private_temp(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, str(ROOT / "publish.py"), "serve", str(TEST_GUIDE),
                              "--port", str(port)], capture_output=True, text=True, cwd=ROOT,
                             env=env, timeout=60)
    assert run.returncode == 1
    [line] = run.stderr.splitlines()
    assert re.fullmatch(rf"error: port {port} is already in use; stop the other server or use "
                        rf"--port \d+", line), line
    assert "Traceback" not in run.stderr
    assert "build" not in run.stdout  # the port is checked before the build starts
    assert not list((tmp_path / "tmp").glob("publish-serve-*"))


# -- the error page --------------------------------------------------------------------


def test_a_broken_first_build_shows_the_error_until_the_file_is_fixed(guide_copy, tmp_path):
    good = guide_copy.read_text(encoding="utf-8")
    guide_copy.write_text(good.replace(*BROKEN), encoding="utf-8")
    args = [str(guide_copy), "--out", str(tmp_path / "site")]
    with serving(args, private_temp(tmp_path)) as server:
        server.wait_for(r"^first build: build failed; the browser shows this error")
        server.wait_for(r"^serving ")
        for path in ("/ankle-sprain/read.html", "/", "/manifest.json"):
            status, headers, page = server.get(path)
            assert status == 503, path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert headers["Cache-Control"] == "no-store"
        error = f"{guide_copy}:39: error: heading id '#what-happens' is used twice"
        assert html.escape(error) in page
        assert "it is already used on line 21; ids must be unique" in page
        assert f"Fix <strong>{html.escape(str(guide_copy))}, line 39</strong>" in page
        assert '<meta http-equiv="refresh" content="2">' in page

        save_again(guide_copy, good)
        server.wait_for(r"ankle-sprain\.md changed: built \d+ files in [\d.]+ s")
        status, _, page = server.get("/ankle-sprain/read.html")
        assert status == 200 and "strong bands called ligaments" in page

        guide_copy.write_text(good.replace(*BROKEN), encoding="utf-8")
        server.wait_for(r"changed: build failed; still serving the last good build")
        status, _, page = server.get("/ankle-sprain/read.html")
        assert status == 200 and "strong bands called ligaments" in page
        assert server.stop() == 0


def test_the_error_page_escapes_what_it_shows():
    problem = Diagnostic(Path("a<b>.md"), 3, "unknown tag <script>alert(1)</script>",
                         hint="write &lt; for <")
    page = problem_page(problem)
    assert "<script>" not in page and "<b>" not in page
    assert "unknown tag &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "write &amp;lt; for &lt;" in page
    assert "Fix <strong>a&lt;b&gt;.md, line 3</strong> and save" in page


# -- what a rebuild says ---------------------------------------------------------------


def test_rebuilds_say_what_changed_in_the_output(guide_copy, tmp_path):
    args = [str(guide_copy), "--out", str(tmp_path / "site")]
    with serving(args, private_temp(tmp_path)) as server:
        total = int(server.wait_for(r"^first build: built (\d+) files in [\d.]+ s$")[1])
        line = server.wait_for(r"^serving ").string
        assert f"http://127.0.0.1:{server.port}/" in line
        status, headers, page = server.get("/ankle-sprain/read.html")
        assert status == 200 and "strong bands called ligaments" in page
        assert headers["Cache-Control"] == "no-store"

        text = guide_copy.read_text(encoding="utf-8")
        save_again(guide_copy, text)  # saved without a change: every file comes back the same
        server.wait_for(r"ankle-sprain\.md changed: nothing changed in the output \([\d.]+ s\)$")

        guide_copy.write_text(text.replace("strong bands called ligaments",
                                           "sturdy bands called ligaments"), encoding="utf-8")
        found = server.wait_for(r"ankle-sprain\.md changed: rebuilt (\d+) of (\d+) files in "
                                r"[\d.]+ s \((\d+) unchanged(?:, \d+ removed)?\)$")
        rebuilt, of, unchanged = map(int, found.groups())
        assert of == total and 0 < rebuilt < total and rebuilt + unchanged == total
        status, _, page = server.get("/ankle-sprain/read.html")
        assert "sturdy bands called ligaments" in page
        _, _, manifest = server.get("/manifest.json")
        assert json.loads(manifest)["guides"][0]["slug"] == "ankle-sprain"
        assert server.stop() == 0
        server.wait_for(r"^stopped$", timeout=5)


@pytest.mark.parametrize(("before", "after", "said"), [
    ({}, {"a": 1, "b": 1}, "built 2 files in 1.0 s"),
    ({"a": 1, "b": 1}, {"a": 1, "b": 1}, "nothing changed in the output (1.0 s)"),
    ({"a": 1, "b": 1, "c": 1}, {"a": 2, "b": 1, "c": 1}, "rebuilt 1 of 3 files in 1.0 s "
                                                         "(2 unchanged)"),
    ({"a": 1, "b": 1}, {"a": 1}, "removed 1 file in 1.0 s (1 unchanged)"),
])
def test_outcome_counts_what_changed_on_disk(before, after, said):
    assert outcome(before, after, 1.0) == said


# -- the temporary output folder -------------------------------------------------------


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_stopping_serve_removes_its_temporary_folder(tmp_path, guide_copy, how):
    if how == signal.SIGTERM:  # a build that fails is quicker, and must clean up as well
        guide_copy.write_text(guide_copy.read_text(encoding="utf-8").replace(*BROKEN),
                              encoding="utf-8")
    with serving([str(guide_copy)], private_temp(tmp_path)) as server:
        site = Path(server.wait_for(r"^serving (\S+) at ")[1])
        assert site.parent.name.startswith("publish-serve-") and site.parent.is_dir()
        assert server.stop(how) == 0
    assert not list((tmp_path / "tmp").glob("publish-serve-*"))


# -- what triggers a rebuild -----------------------------------------------------------


def next_batch(batches: queue.Queue, timeout: float = 10) -> set[str]:
    return batches.get(timeout=timeout)


def first_batch(batches: queue.Queue, poke: Callable[[], None]) -> set[str]:
    """Save until the watcher answers: it starts a moment after its thread does."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        poke()
        with contextlib.suppress(queue.Empty):
            return next_batch(batches, timeout=0.5)
    raise AssertionError("the watcher never reported a change")


def quiet_for(batches: queue.Queue, seconds: float) -> None:
    with contextlib.suppress(queue.Empty):
        raise AssertionError(f"rebuilt for {batches.get(timeout=seconds)}")


def test_edits_reacts_only_to_what_the_build_reads(guide_copy, tmp_path):
    folder = guide_copy.parent
    styles = tmp_path / "styles"
    (styles / "css").mkdir(parents=True)
    out = folder / "site"  # inside a watched folder: its own files must not count
    (out / "thumbs").mkdir(parents=True)
    stop, batches = threading.Event(), queue.Queue()

    def collect() -> None:
        for batch in edits([guide_copy], out, styles, stop, folder / "pyproject.toml"):
            batches.put({Path(path).relative_to(tmp_path).as_posix() for _, path in batch})

    thread = threading.Thread(target=collect, daemon=True)
    thread.start()
    try:
        text = guide_copy.read_text(encoding="utf-8")
        saved = first_batch(batches, lambda: guide_copy.write_text(text))
        assert saved == {"guide/ankle-sprain.md"}
        quiet_for(batches, 1)  # the extra saves' batches, if any
        while not batches.empty():
            batches.get()

        for ignored in ("notes.txt", "site/thumbs/cover.png", "site/index.html",
                        ".ankle-sprain.md.swp", "ankle-sprain.md~", "images/.cache/x.png",
                        "images/pyproject.toml"):
            (folder / ignored).parent.mkdir(parents=True, exist_ok=True)
            (folder / ignored).write_text("x")
        quiet_for(batches, 1.5)

        (folder / "images" / "ankle.svg").write_text("<svg/>")
        assert next_batch(batches) == {"guide/images/ankle.svg"}
        (styles / "css" / "site.css").write_text("body {}")
        assert next_batch(batches) == {"styles/css/site.css"}
        (folder / "pyproject.toml").write_text("[tool.publish.check]\n")
        assert next_batch(batches) == {"guide/pyproject.toml"}
    finally:
        stop.set()
        thread.join(timeout=10)


@pytest.mark.parametrize(("name", "wanted"), [
    ("guide/ankle-sprain.md", True),
    ("guide/images/ankle.SVG", True),
    ("guide/deep/er/photo.jpeg", True),
    ("styles/templates/site/index.html", True),
    ("styles/brand.yaml", True),
    ("guide/other.md", False),  # not one of the guides being built
    ("guide/notes.txt", False),
    ("guide/images/ankle.svg~", False),
    ("guide/.git/objects/ab.png", False),
    ("styles/.brand.yaml.swp", False),
    ("styles/#brand.yaml#", False),
    ("styles/4913", False),
    ("styles/__pycache__/x.png", False),
    ("guide/site/cover.png", False),  # the output folder
])
def test_build_inputs_filter(tmp_path, name, wanted):
    inputs = BuildInputs([tmp_path / "guide" / "ankle-sprain.md"], tmp_path / "guide" / "site",
                         tmp_path / "styles")
    assert inputs(None, str(tmp_path / name)) is wanted


def test_edits_watch_the_project_settings_beside_manuscript(tmp_path):
    """The project's pyproject.toml sits above manuscript/, outside every watched folder:
    it is watched as a file (the check limits it holds change what a build reports)."""
    root = tmp_path / "project"
    (root / "manuscript").mkdir(parents=True)
    guide = root / "manuscript" / "guide.md"
    guide.write_text("x")
    settings = root / "pyproject.toml"
    settings.write_text("[tool.publish.check]\n")
    (root / "styles").mkdir()
    (root / "notes.txt").write_text("x")
    stop, batches = threading.Event(), queue.Queue()

    def collect() -> None:
        for batch in edits([guide], root / "dist", root / "styles", stop, settings):
            batches.put({Path(path).relative_to(root).as_posix() for _, path in batch})

    thread = threading.Thread(target=collect, daemon=True)
    thread.start()
    try:
        changed = first_batch(batches, lambda: settings.write_text(
            "[tool.publish.check]\nreview_months = 12\n"))
        assert changed == {"pyproject.toml"}
        (root / "notes.txt").write_text("y")  # beside it, not read by the build
        quiet_for(batches, 1)
    finally:
        stop.set()
        thread.join(timeout=10)
