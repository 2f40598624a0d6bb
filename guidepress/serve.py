"""`publish serve`: build, serve the output folder on this computer, rebuild on every save.

Open pages reload by themselves after each save: the read-online pages are made from the
saved manuscript ahead of the rebuild (they need no page layout) and served from memory
until it is done, then pages reload again. Every HTML page is served with a small
script that listens to /_publish/events (server-sent events, standard library only) and
reloads when a build has finished, or shows the build's error over the page when it
failed. Pages are served with `Cache-Control: no-store`, so a reload always shows the
newest build. A build that fails prints its error and the last good build stays up;
until a build has worked, every page shows the error instead.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import html
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import MANIFEST, build
from .build.noop import IMAGE_SUFFIXES
from .errors import Diagnostic, PublishError, display_path, environment_error
from .project import SETTINGS, Project
from .units import plural

Say = Callable[[str], None]


class ServeError(Exception):
    """The server cannot start (the port is taken, the address is not this computer's):
    a one-line message for the person at the keyboard."""


@dataclass
class Status:
    """What the server shows. Written by the rebuild loop, read by the request threads;
    ``finished`` tells the open pages' event streams that a build ended."""

    good: bool = False  # a build of this session has worked: serve the output folder
    problem: Diagnostic | None = None  # the error of the last failed build
    builds: int = 0  # builds finished, good or not
    stopping: bool = False
    # Read-online pages made from the manuscript just saved, served in place of the
    # folder's while the rebuild runs (in memory: the folder changes only by builds).
    ahead: dict[str, bytes] = field(default_factory=dict)
    news: str = "reload"  # what the last event tells open pages: "preview" or "reload"
    changed: threading.Condition = field(default_factory=threading.Condition)

    def finished(self, problem: Diagnostic | None) -> None:
        with self.changed:
            self.good = self.good or problem is None
            self.problem = problem
            self.ahead = {}
            self.news = "reload"
            self.builds += 1
            self.changed.notify_all()

    def previewed(self, pages: dict[str, bytes]) -> None:
        """Pages made ahead of the rebuild: open pages reload and get them."""
        with self.changed:
            self.ahead = pages
            self.news = "preview"
            self.builds += 1
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


EVENTS = "/_publish/events"
LIVE_JS = "/_publish/live.js"
KEEPALIVE_S = 15
# Reload when a build has finished; show a failed build's error over the page (it stays
# until the next build). Added to every HTML page the preview serves, never to dist/.
LIVE_SCRIPT = """(() => {
  const events = new EventSource("EVENTS");
  events.addEventListener("reload", () => location.reload());
  // The saved manuscript's text, before the rebuild is done: the new page's body in place
  // of this one's, at the same scroll position (no reload: nothing else is fetched).
  events.addEventListener("preview", async () => {
    const response = await fetch(location.href, {cache: "no-store"});
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const y = window.scrollY;
    document.title = fresh.title;
    document.body.replaceWith(fresh.body);
    window.scrollTo(0, y);
  });
  events.addEventListener("problem", (event) => {
    let box = document.getElementById("publish-problem");
    if (!box) {
      box = document.createElement("div");
      box.id = "publish-problem";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 0 0 0;z-index:9999;max-height:60vh;" +
        "overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff3f3;color:#1a1a1a;" +
        "border-top:4px solid #b00020;font:1rem/1.45 system-ui,sans-serif;" +
        "white-space:pre-wrap;box-shadow:0 -2px 8px rgba(0,0,0,.2)";
      document.body.appendChild(box);
    }
    box.textContent = "The build failed; this page shows the last good build.\\n\\n" +
      event.data;
  });
})();
""".replace("EVENTS", EVENTS)


# -- the web server --------------------------------------------------------------------


class NoCacheHandler(SimpleHTTPRequestHandler):
    def __init__(self, *args, status: Status, **kwargs) -> None:
        self.status = status  # before super().__init__, which already answers the request
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            self.send_events()
        elif path == LIVE_JS:
            self.send_bytes(LIVE_SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8")
        elif not self.status.good:
            self.send_problem(body=True)
        elif (early := self.status.ahead.get(path.lstrip("/"))) is not None:
            kind = "text/html; charset=utf-8" if path.endswith(".html") else (
                self.guess_type(path))
            self.send_bytes(with_live_script(early) if path.endswith(".html") else early, kind)
        elif (page := self.html_page()) is not None:
            self.send_bytes(with_live_script(page.read_bytes()), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def html_page(self) -> Path | None:
        """The HTML file a GET asks for (a folder's index.html), if there is one."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def send_bytes(self, data: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_events(self) -> None:
        """A server-sent event stream: "reload" after each good build, "problem" (the
        error as text) after a failed one, a comment now and then to keep it open."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        status = self.status
        with status.changed:
            seen = status.builds
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                with status.changed:
                    status.changed.wait_for(
                        lambda last=seen: status.builds != last or status.stopping,
                        timeout=KEEPALIVE_S)
                    if status.stopping:
                        return
                    news, seen, problem = status.builds != seen, status.builds, status.problem
                    kind = status.news
                if not news:
                    message = b": still here\n\n"
                elif kind == "preview":
                    message = b"event: preview\ndata: \n\n"
                elif problem is None:
                    message = b"event: reload\ndata: \n\n"
                else:
                    lines = problem.format().splitlines() or [""]
                    message = ("event: problem\n" + "".join(f"data: {line}\n" for line in lines)
                               + "\n").encode("utf-8")
                self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the page was closed or reloaded

    def do_HEAD(self) -> None:
        if self.status.good:
            super().do_HEAD()
        else:
            self.send_problem(body=False)

    def send_problem(self, body: bool) -> None:
        # 503, not 200: there is no such page yet, and a 200 would let a link checker or
        # `curl -f` believe there is. Browsers show the page all the same.
        page = with_live_script(problem_page(self.status.problem).encode("utf-8"))
        self.send_response(HTTPStatus.SERVICE_UNAVAILABLE)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Retry-After", "2")
        self.end_headers()
        if body:
            self.wfile.write(page)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass  # one line per rebuild is what people want to see, not one per request


def with_live_script(page: bytes) -> bytes:
    """The page with the live-reload script before its </body> (or at its end)."""
    tag = f'<script src="{LIVE_JS}"></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - publish serve</title>
<style>
body {{ font: 1.1rem/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto;
       padding: 0 1rem; color: #1a1a1a; }}
pre {{ white-space: pre-wrap; background: #fff3f3; border-left: 4px solid #b00020;
      padding: 1rem; font-size: 1rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
{body}
</body>
</html>
"""


def problem_page(problem: Diagnostic | None) -> str:
    """The page every request gets while no build has worked: the error, the file to fix,
    and a refresh every 2 seconds, so the site appears by itself once the fix is saved."""
    if problem is None:
        return PAGE.format(title="Building", body="<p>The first build is running; this page "
                           "updates by itself.</p>")
    where = display_path(problem.path) + (f", line {problem.line}" if problem.line else "")
    body = (f"<p>Fix <strong>{html.escape(where)}</strong> and save; this page updates "
            f"by itself.</p>\n<pre>{html.escape(problem.format())}</pre>")
    return PAGE.format(title="The build failed", body=body)


def listen(host: str, port: int, status: Status, out: Path) -> ThreadingHTTPServer:
    """Take the port, or say in one line why not. Done before the first build, so nobody
    waits for a build that cannot be served."""
    handler = functools.partial(NoCacheHandler, status=status, directory=str(out))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        raise ServeError(bind_problem(host, port, error)) from None


def bind_problem(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return (f"port {port} is already in use; stop the other server or use "
                f"--port {free_port_after(host, port)}")
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port}; use a port above 1023, e.g. --port 8000"
    reason = error.strerror or str(error)
    return f"cannot listen on {host}:{port}: {reason}; check --host (e.g. 127.0.0.1)"


def free_port_after(host: str, port: int) -> int:
    """The next port that is free right now, so the suggestion works when followed."""
    for candidate in range(port + 1, min(port + 50, 65536)):
        with socket.socket() as probe:
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return 0  # --port 0: any free port


@contextlib.contextmanager
def running(server: ThreadingHTTPServer, status: Status) -> Iterator[None]:
    """Answer requests in a background thread until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        status.stop()  # ends the open pages' event streams
        server.shutdown()  # only after serve_forever started: it would wait forever


# -- building --------------------------------------------------------------------------


def output_files(out: Path) -> dict[str, tuple[int, int, int]]:
    """Each file in the output folder with its inode, size and date. The build renames a
    new file over one whose bytes changed and leaves the others alone, so a file whose
    triple is the same after a build was not changed by it. The manifest is left out: it
    is written every time."""
    if not out.is_dir():
        return {}
    found = {}
    for path in out.rglob("*"):
        if path.name != MANIFEST and not path.name.startswith(".") and path.is_file():
            info = path.stat()
            found[path.relative_to(out).as_posix()] = (info.st_ino, info.st_size,
                                                       info.st_mtime_ns)
    return found


def outcome(before: dict, after: dict, seconds: float) -> str:
    """What the build did to the output folder, e.g. 'rebuilt 2 of 5 files in 1.1 s
    (3 unchanged)': a count of files made is no news when most came back identical."""
    changed = sum(1 for path, key in after.items() if before.get(path) != key)
    removed = len(before.keys() - after.keys())
    kept, took = len(after) - changed, f"{seconds:.1f} s"
    gone = f", {removed} removed" if removed else ""
    if not changed:
        if not removed:
            return f"nothing changed in the output ({took})"
        return f"removed {plural(removed, 'file')} in {took} ({kept} unchanged)"
    if not kept:
        return f"built {plural(changed, 'file')} in {took}{gone}"
    return f"rebuilt {changed} of {plural(len(after), 'file')} in {took} ({kept} unchanged{gone})"


def preview_ahead(sources: list[Path], styles: Path, project: Project | None,
                  status: Status) -> None:
    """Make the read-online pages from the manuscripts as saved (about 0.1 s: no page
    layout) and show them at once; the rebuild that follows replaces them. A manuscript
    that does not read is left to the rebuild, which reports it."""
    from .read.brand import load_brand
    from .read.glyphs import brand_font_set
    from .read.guide import read_guide
    from .writers.site import read_page_files

    try:
        brand = load_brand(project.styles if project else styles)
        fonts = brand_font_set(brand)
        pages: dict[str, bytes] = {}
        for source in sources:
            pages |= read_page_files(brand, read_guide(source, fonts)[0])
    except (PublishError, OSError):
        return
    status.previewed(pages)


@dataclass(frozen=True)
class Options:
    """What `publish serve` builds: the outputs (None: the default ones) and workers."""

    outputs: tuple[str, ...] | None = None
    jobs: int = os.cpu_count() or 1


def rebuild(sources: list[Path], out: Path, styles: Path, say: Say, reason: str,
            status: Status, project: Project | None = None,
            options: Options = Options()) -> bool:
    started = time.perf_counter()
    before = output_files(out)
    try:
        result = build(sources, out, styles=None if project else styles, project=project,
                       only=options.outputs, jobs=options.jobs)
    except (PublishError, OSError) as exc:
        error = exc if isinstance(exc, PublishError) else environment_error(exc, out)
        say(error.format())
        shown = ("still serving the last good build" if status.good
                 else "the browser shows this error until it is fixed")
        say(f"{reason}: build failed; {shown}")
        status.finished(error.diagnostic)
        return False
    for warning in result.warnings:
        say(warning.format())
    say(f"{reason}: {outcome(before, output_files(out), time.perf_counter() - started)}")
    status.finished(None)
    return True


# -- watching --------------------------------------------------------------------------


def watched(sources: list[Path], styles: Path, settings: Path | None = None) -> list[Path]:
    """The manuscripts' folders (text and images), the styles folder, and the project's
    settings file (only the file: its folder holds the output and the virtualenv)."""
    folders = {source.resolve().parent for source in sources} | {styles.resolve()}
    if settings is not None and settings.is_file():
        folders.add(settings.resolve())
    return sorted(folders)


# Files editors leave while saving: backups (x~), Emacs' #x# and .#x, Vim's .x.swp and its
# 4913 write test, JetBrains' x___jb_tmp___, and x.tmp written before a rename.
EDITOR_TEMP = re.compile(r"(~|\.sw.|\.tmp|___jb_\w+___)$|^(#.*#|4913)$")


def hidden(path: Path, folder: Path) -> bool:
    """Hidden or cache below ``folder``: build.noop.files_under skips these, and so does
    the build (the task cache, .git, editors' swap files)."""
    parts = path.relative_to(folder).parts
    return any(part.startswith((".", "__pycache__")) for part in parts)


class BuildInputs:
    """A watchfiles filter that keeps changes to what a build reads: the manuscripts,
    images in their folders (the no-op check's rule), their translations
    (locale/*/*.po), anything in styles/ and the
    project's pyproject.toml (``settings``). A notes.txt beside a manuscript is not a
    reason to rebuild."""

    def __init__(self, sources: list[Path], out: Path, styles: Path,
                 settings: Path | None = None) -> None:
        self.settings = settings.resolve() if settings else None
        self.manuscripts = {source.resolve() for source in sources}
        self.folders = {source.parent for source in self.manuscripts}
        self.styles = styles.resolve()
        self.out = out.resolve()

    def __call__(self, change: object, name: str) -> bool:
        path = Path(name).resolve()
        if path.is_relative_to(self.out) or EDITOR_TEMP.search(path.name):
            return False
        if path in self.manuscripts or path == self.settings:
            return True
        if path.is_relative_to(self.styles):
            return not hidden(path, self.styles)
        if path.suffix == ".po":  # a translation: manuscript/locale/<language>/<slug>.po
            return any(path.is_relative_to(folder / "locale") for folder in self.folders)
        return path.suffix.lower() in IMAGE_SUFFIXES and any(
            path.is_relative_to(folder) and not hidden(path, folder) for folder in self.folders)


def edits(sources: list[Path], out: Path, styles: Path,
          stop: threading.Event | None = None, settings: Path | None = None) -> Iterator[set]:
    """Each batch of changes to what the build reads (see BuildInputs), leaving out the
    output folder and hidden and editors' temporary files."""
    import watchfiles

    yield from watchfiles.watch(*watched(sources, styles, settings), watch_filter=BuildInputs(
        sources, out, styles, settings), stop_event=stop, debounce=80, step=40,
        raise_interrupt=True)


def describe(changes: set) -> str:
    """'manuscript/x.md changed': files that still exist (editors' temporary files don't)."""
    names = sorted({display_path(Path(path)) for _, path in changes if Path(path).exists()})
    if not names:
        return "a file was removed"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{shown} changed"


# -- the command -----------------------------------------------------------------------


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """`kill` and a closed terminal stop the server the way Ctrl-C does, so the cleanup
    (the temporary output folder) runs; the old handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return
    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    old = {name: signal.signal(getattr(signal, name), signal.default_int_handler)
           for name in names}
    try:
        yield
    finally:
        for name, handler in old.items():
            signal.signal(getattr(signal, name), handler)


def serve(sources: list[Path], out: Path, styles: Path, host: str, port: int,
          say: Say, stop: threading.Event | None = None, project: Project | None = None,
          options: Options = Options(), open_page: Callable[[str], object] | None = None
          ) -> None:
    """Build, then serve ``out`` on host:port and rebuild whenever an input changes.
    Raises ServeError when the port cannot be had; returns on Ctrl-C or ``stop``.
    ``open_page`` (e.g. webbrowser.open) is given the address once it answers."""
    status = Status()
    server = listen(host, port, status, out)
    try:
        with running(server, status):
            address = f"http://{host}:{server.server_address[1]}/"
            if open_page is not None:  # it shows "Building" and reloads when it is done
                open_page(address)
            rebuild(sources, out, styles, say, "first build", status, project, options)
            say(f"serving {display_path(out)} at {address} (Ctrl-C to stop)")
            settings = project.root / SETTINGS if project else None
            for changes in edits(sources, out, styles, stop or threading.Event(), settings):
                if status.good:
                    preview_ahead(sources, styles, project, status)
                rebuild(sources, out, styles, say, describe(changes), status, project,
                        options)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    say("stopped")
