"""`publish serve`: build, serve the output folder on this computer, rebuild on every save.

Writers see their changes by refreshing the browser: pages are served with
`Cache-Control: no-store`, so a refresh always shows the newest build. A build that fails
prints its error and the last good build stays up.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import build
from .errors import PublishError, display_path


class NoCacheHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        pass  # one line per rebuild is what people want to see, not one per request


def rebuild(sources: list[Path], out: Path, styles: Path, say: Callable[[str], None],
            reason: str) -> bool:
    started = time.perf_counter()
    try:
        result = build(sources, out, styles=styles, jobs=os.cpu_count() or 1)
    except PublishError as error:
        say(error.diagnostic.format())
        say(f"{reason}: build failed; still serving the last good build")
        return False
    for warning in result.warnings:
        say(warning.format())
    files = sum(len(job.files) for job in result.guides)
    say(f"{reason}: rebuilt {files} files in {time.perf_counter() - started:.1f} s")
    return True


def watched(sources: list[Path], styles: Path) -> list[Path]:
    """The manuscripts' folders (text and images) and the styles folder."""
    folders = {source.resolve().parent for source in sources} | {styles.resolve()}
    return sorted(folders)


def edits(sources: list[Path], out: Path, styles: Path,
          stop: threading.Event | None = None) -> Iterator[set]:
    """Each batch of changes to the manuscripts' folders and styles/, leaving out the
    output folder and hidden files (editors' swap files, the build's own cache)."""
    import watchfiles

    ignore_output = out.resolve()
    for changes in watchfiles.watch(*watched(sources, styles), stop_event=stop, debounce=300,
                                    step=50, raise_interrupt=True):
        relevant = {c for c in changes if not Path(c[1]).resolve().is_relative_to(
            ignore_output) and not Path(c[1]).name.startswith(".")}
        if relevant:
            yield relevant


def describe(changes: set) -> str:
    """'manuscript/x.md changed': files that still exist (editors' temporary files don't)."""
    names = sorted({display_path(Path(path)) for _, path in changes if Path(path).exists()})
    if not names:
        return "a file was removed"
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"{shown} changed"


def serve(sources: list[Path], out: Path, styles: Path, host: str, port: int,
          say: Callable[[str], None], stop: threading.Event | None = None) -> None:
    """Build, then serve ``out`` on host:port and rebuild whenever an input changes."""
    stop = stop or threading.Event()
    rebuild(sources, out, styles, say, "first build")
    handler = functools.partial(NoCacheHandler, directory=str(out))
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"http://{host}:{server.server_address[1]}/"
    say(f"serving {display_path(out)} at {address} (Ctrl-C to stop)")
    try:
        for changes in edits(sources, out, styles, stop):
            rebuild(sources, out, styles, say, describe(changes))
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(Exception):
            server.shutdown()
        server.server_close()
        say("stopped")
