"""`publish serve` in a real browser: an open page follows every save by itself.

Debian's chromium through Playwright opens the read-online page; the test edits the
manuscript and waits for the page to change, without reloading it itself; a broken save
shows the build's error over the page, and fixing it brings the page back."""

from __future__ import annotations

import time

from playwright.sync_api import sync_playwright

from . import browsers
from .test_serve import (  # noqa: F401 - time_limit: an autouse fixture
    BROKEN,
    free_port,
    private_temp,
    save_again,
    serving,
    time_limit,
)

OLD, NEW = "strong bands called ligaments", "sturdy bands called ligaments"


def test_the_open_page_follows_each_save(guide_copy, tmp_path):
    args = [str(guide_copy), "--out", str(tmp_path / "site"), "--only", "handouts"]
    with serving(args, private_temp(tmp_path)) as server, sync_playwright() as playwright:
        server.wait_for(r"^serving ")
        browser = playwright.chromium.launch(executable_path=browsers.chromium())
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.port}/ankle-sprain/read.html")
        assert OLD in page.content()
        page.evaluate("window.loadedOnce = true")  # gone once the page reloads itself
        text = guide_copy.read_text(encoding="utf-8")

        save_again(guide_copy, text.replace(OLD, NEW))
        saved = time.monotonic()
        # First the saved text, in place (made ahead of the rebuild, no reload) …
        page.wait_for_function(f"document.body.innerText.includes({NEW!r})", timeout=5000)
        shown = time.monotonic()
        # … then, once the rebuild is done, the page reloads itself.
        server.wait_for(r"ankle-sprain\.md changed: rebuilt ")
        built = time.monotonic()
        page.wait_for_function("window.loadedOnce === undefined", timeout=5000)
        reloaded = time.monotonic()
        assert NEW in page.content()
        assert shown - saved < 2.0, f"{shown - saved:.2f} s from the save to the text"
        assert reloaded - built < 1.0, f"{reloaded - built:.2f} s after the rebuild"
        print(f"save to text: {shown - saved:.2f} s; rebuild line to reload: "
              f"{reloaded - built:.2f} s")

        guide_copy.write_text(text.replace(*BROKEN), encoding="utf-8")
        server.wait_for(r"build failed; still serving the last good build")
        problem = page.wait_for_selector("#publish-problem", timeout=5000)
        message = problem.inner_text()
        assert "ankle-sprain.md:" in message and "The build failed" in message
        assert NEW in page.content()  # the last good build stays under the message

        guide_copy.write_text(text, encoding="utf-8")
        server.wait_for(r"ankle-sprain\.md changed: rebuilt ")
        page.wait_for_function(f"document.body.innerText.includes({OLD!r})", timeout=5000)
        assert page.query_selector("#publish-problem") is None
        browser.close()
        assert server.stop() == 0


def test_pages_carry_the_live_script_only_in_the_preview(guide_copy, tmp_path):
    out = tmp_path / "site"
    with serving([str(guide_copy), "--out", str(out), "--only", "handouts"],
                 private_temp(tmp_path)) as server:
        server.wait_for(r"^serving ")
        _, _, served = server.get("/ankle-sprain/index.html")
        assert '<script src="/_publish/live.js"></script></body>' in served
        status, headers, script = server.get("/_publish/live.js")
        assert headers["Content-Type"].startswith("text/javascript")
        assert status == 200 and "EventSource" in script
        assert server.stop() == 0
    on_disk = (out / "ankle-sprain" / "index.html").read_text(encoding="utf-8")
    assert "_publish" not in on_disk  # the files to upload never hold it


def test_the_read_page_is_made_ahead_of_the_rebuild_in_memory(guide_copy, tmp_path):
    from guidepress.project import Project
    from guidepress.serve import Status, preview_ahead

    project = Project.find()
    status = Status(good=True)
    guide_copy.write_text(guide_copy.read_text(encoding="utf-8").replace(OLD, NEW),
                          encoding="utf-8")
    started = time.perf_counter()
    preview_ahead([guide_copy], project.styles, project, status)
    took = time.perf_counter() - started
    page = status.ahead["ankle-sprain/read.html"].decode("utf-8")
    assert NEW in page and status.builds == 1
    assert any(path.startswith("ankle-sprain/media/") for path in status.ahead)
    assert took < 5  # about 0.1 s; the bench measures it
    status.finished(None)  # the rebuild is done: the folder's pages are served again
    assert status.ahead == {} and status.builds == 2
    broken = tmp_path / "broken.md"
    broken.write_text("no front matter", encoding="utf-8")
    preview_ahead([broken], project.styles, project, status)
    assert status.builds == 2  # nothing ahead: the rebuild reports the error


def test_open_gets_the_address_once_the_server_answers(guide_copy, tmp_path):
    import threading
    from urllib.error import HTTPError
    from urllib.request import urlopen

    from guidepress.project import Project
    from guidepress.serve import Options, serve

    opened: list[tuple[str, int]] = []

    def open_page(url: str) -> None:  # what webbrowser.open gets: the page must answer
        try:
            with urlopen(url, timeout=10) as response:
                opened.append((url, response.status))
        except HTTPError as error:  # 503 "Building", until the first build is done
            opened.append((url, error.code))

    stop = threading.Event()
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        if line.startswith("serving "):
            stop.set()

    project = Project.find()
    port = free_port()
    serve([guide_copy], tmp_path / "out", project.styles, "127.0.0.1", port, say, stop,
          project, Options(("handouts",), 1), open_page)
    assert len(opened) == 1 and opened[0][0] == f"http://127.0.0.1:{port}/"
    assert opened[0][1] in (200, 503)  # "Building" until the first build is done
    assert said[-1] == "stopped"
