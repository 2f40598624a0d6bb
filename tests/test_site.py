"""The downloads site in a real browser (Debian's chromium through Playwright): axe-core,
phone and desktop widths, links, no other hosts; and `publish serve`."""

from __future__ import annotations

import contextlib
import itertools
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from lxml import html as lxml_html
from playwright.sync_api import sync_playwright

from . import browsers
from .conftest import ROOT, TEST_GUIDE

ARTIFACTS = ROOT / "tests" / "artifacts"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def pages_of(built) -> list[Path]:
    pages = [built.out / "index.html"]
    for guide in built.manifest["guides"]:
        pages += [built.out / guide["page"], built.out / guide["slug"] / "read.html"]
    return pages


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=browsers.chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def test_manifest_pages_resolve(built):
    for guide in built.manifest["guides"]:
        assert guide["page"] == f"{guide['slug']}/index.html"
        assert (built.out / guide["page"]).is_file()
        assert (built.out / guide["cover"]).is_file()
    assert "index.html" in built.manifest["site"]


@pytest.mark.parametrize("size", list(SIZES))
def test_pages_in_a_real_browser(built, browser, size):
    """axe-core finds nothing, no horizontal scrolling on a phone, text at least 18 px on
    a phone, no request leaves the folder; a screenshot of each page is kept."""
    width, height = SIZES[size]
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    outside: list[str] = []
    context.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
                  if not route.request.url.startswith("file://") else route.continue_())
    page = context.new_page()
    axe = Axe()
    for path in pages_of(built):
        page.goto(path.as_uri())
        results = axe.run(page)
        assert results.violations_count == 0, (path.name, results.generate_report())
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (path, scroll)
        if size == "phone":
            body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert body >= 18
        if size == "phone" and path.name == "read.html":  # every paragraph of the guide
            smallest = page.evaluate("""Math.min(...[...document.querySelectorAll(
                'article p, article li')].map(p => parseFloat(getComputedStyle(p).fontSize)))""")
            assert smallest >= 18, (path, smallest)
        name = f"{size}-{path.parent.name if path.parent != built.out else 'site'}-{path.stem}"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert outside == []


def local_targets(path: Path) -> list[str]:
    tree = lxml_html.parse(str(path))
    targets = [a.get("href") for a in tree.iter("a")] + [i.get("src") for i in tree.iter("img")]
    targets += [link.get("href") for link in tree.iter("link")]
    return [t for t in targets
            if t and not t.startswith(("#", "https://", "http://", "tel:", "mailto:"))]


def test_every_link_and_download_resolves(built):
    checked = 0
    for path in pages_of(built):
        for target in local_targets(path):
            file = (path.parent / unquote(urlsplit(target).path)).resolve()
            assert file.is_file(), (path.name, target)
            assert file.is_relative_to(built.out.resolve())
            checked += 1
        document = lxml_html.parse(str(path))
        for anchor in document.iter("a"):
            href = anchor.get("href") or ""
            if "#" in href and not href.startswith("http"):
                page, _, fragment = href.partition("#")
                target = path if not page else path.parent / page
                ids = lxml_html.parse(str(target)).xpath("//@id")
                assert fragment in ids, (path.name, href)
    assert checked > 20


def test_pages_are_static_and_described(built):
    for path in pages_of(built):
        text = path.read_text(encoding="utf-8")
        tree = lxml_html.fromstring(text)
        # no program runs: the one script is schema.org data (JSON-LD), never executed
        assert all(script.get("type") == "application/ld+json" for script in tree.iter("script"))
        assert tree.get("lang")
        assert tree.findtext(".//title").strip()
        assert tree.xpath("//meta[@name='description']/@content")[0].strip()
        assert tree.xpath("//meta[@property='og:title']/@content")
        assert tree.xpath("//link[@rel='icon']/@href")
        assert not re.search(r"""(src|href)=["']//""", text)  # no protocol-relative URLs
    guide = built.out / "muscle-spasms" / "index.html"
    tree = lxml_html.parse(str(guide))
    assert tree.xpath("//meta[@property='og:url']/@content") == \
        ["https://www.kayalortho.com/patient-guides/muscle-spasms/"]
    css = (built.out / "assets" / "site.css").read_text(encoding="utf-8")
    assert "@media print" in css and "https://" not in css


def test_guide_page_lists_every_file(built):
    for guide in built.manifest["guides"]:
        page = (built.out / guide["page"]).read_text(encoding="utf-8")
        tree = lxml_html.fromstring(page)
        hrefs = {a.get("href") for a in tree.iter("a")}
        for file in guide["files"]:
            assert file["path"].removeprefix(guide["slug"] + "/") in hrefs
            assert file["sha256"] in page
        alts = [img.get("alt") for img in tree.iter("img") if "thumbs/" in img.get("src")]
        assert all(alt and alt.strip() for alt in alts)
        assert "Read online" in page


def test_read_online_has_the_whole_guide(built):
    guide = next(j.guide for j in built.guides if j.guide.slug == "ankle-sprain")
    page = lxml_html.parse(str(built.out / "ankle-sprain" / "read.html"))
    text = " ".join(page.getroot().text_content().split())
    for section in guide.sections:
        assert section.title in text
    assert "EBOOKONLYMARKER" in text and "BOOKONLYMARKER" in text
    assert "PRINTONLYMARKER" not in text and "HANDOUTONLYMARKER" not in text
    ref = page.xpath("//a[@role='doc-noteref']")[0]
    assert page.xpath(f"//*[@id='{ref.get('href')[1:]}']")  # footnotes are links
    headings = [int(h.tag[1]) for h in page.iter() if re.fullmatch(r"h[1-6]", str(h.tag))]
    assert headings[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(headings))


# -- publish serve ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


LINES: dict[int, queue.Queue] = {}


def wait_for(process, pattern: str, timeout: float = 60) -> str:
    """The next line the process prints that matches ``pattern`` (never hangs the tests:
    a thread reads the output, and we give up after ``timeout`` seconds)."""
    if process.pid not in LINES:
        lines: queue.Queue = queue.Queue()
        LINES[process.pid] = lines
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                         daemon=True).start()
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = LINES[process.pid].get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"never saw {pattern!r}; got {seen}")


def lines_until(process, pattern: str) -> list[str]:
    found = []
    while True:
        line = wait_for(process, "")
        found.append(line)
        if re.search(pattern, line):
            return found


@contextlib.contextmanager
def publish_running(*args: str):
    """`publish ARGS` in the background; stopped with Ctrl-C (SIGINT) afterwards, which
    must end it cleanly."""
    process = subprocess.Popen([sys.executable, str(ROOT / "publish.py"), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               cwd=ROOT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        finally:
            process.kill()
    assert process.returncode == 0
    wait_for(process, r"^stopped", timeout=5)


def test_serve_binds_to_this_computer_only_by_default():
    import publish

    option = next(p for p in publish.cli.commands["serve"].params if p.name == "host")
    assert option.default == "127.0.0.1"
    assert TEST_GUIDE.exists()


def test_build_watch_rebuilds_from_the_cache(guide_copy, tmp_path):
    with publish_running("build", str(guide_copy), "--out", str(tmp_path / "out"), "--watch",
                         "--only", "handouts") as process:
        wait_for(process, r"^watching for changes")
        time.sleep(1)  # the watcher starts just after it says so
        text = guide_copy.read_text(encoding="utf-8")
        guide_copy.write_text(text.replace("Balance practice lowers", "Balance work lowers"),
                              encoding="utf-8")
        assert "ankle-sprain.md changed" in wait_for(process, r"changed$")
        lines = lines_until(process, r"^2 files in [\d.]+ s, 1 from cache")
        [rebuilt] = [line for line in lines if "getting-back.pdf" in line]
        [kept] = [line for line in lines if "first-days.pdf" in line]
        assert "from cache" not in rebuilt and "from cache" in kept
