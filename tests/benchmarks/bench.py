"""`make bench`: build times against pandoc, rebuilds, scale and several guides.

Prints a table and writes tests/benchmarks/results.json so runs can be compared across
commits. Every figure is the median of several runs of the real command line, timed
from outside (Python start-up included), with our runs and pandoc's alternating.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from guidepress.sysdeps import apt_install

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # tests.browsers finds chromium for the preview measure
BIN = Path(sys.executable).parent
SHIPPED = ROOT / "manuscript" / "muscle-spasms.md"
RESULTS = Path(__file__).with_name("results.json")
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


def run(args: list[str], cwd: Path = ROOT, env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def publish(*args: str) -> list[str]:
    return [str(BIN / "publish"), "build", "--quiet", *args]


def ensure_pandoc() -> str:
    found = shutil.which("pandoc")
    if found:
        return found
    # sysdeps' helper runs apt-get update first: on a fresh image there are no package lists.
    if apt_install(["pandoc"]):
        return shutil.which("pandoc") or sys.exit("pandoc did not install")
    sys.exit("make bench compares with pandoc: install it with "
             "`sudo apt-get update && sudo apt-get install pandoc`")


def pandoc_build(pandoc: str, source: Path, work: Path) -> float:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}  # WeasyPrint from our venv
    started = time.perf_counter()
    subprocess.run([pandoc, str(source), "-o", str(work / "x.epub")], check=True, env=env,
                   cwd=source.parent, capture_output=True)
    subprocess.run([pandoc, str(source), "--pdf-engine=weasyprint", "-o", str(work / "x.pdf")],
                   check=True, env=env, cwd=source.parent, capture_output=True)
    return time.perf_counter() - started


def cold(source: Path, work: Path, *extra: str) -> float:
    out = work / f"cold-{time.perf_counter_ns()}"
    return run(publish(str(source), "--out", str(out), *extra))


def compare_with_pandoc(pandoc: str, source: Path, work: Path) -> dict:
    ours, theirs = [], []
    for _ in range(RUNS):  # alternate, so a busy moment hurts both alike
        ours.append(cold(source, work))
        theirs.append(pandoc_build(pandoc, source, work))
    return {"ours_s": statistics.median(ours), "pandoc_s": statistics.median(theirs),
            "ratio": statistics.median(ours) / statistics.median(theirs)}


def noop(source: Path, work: Path) -> float:
    out = work / "noop"
    run(publish(str(source), "--out", str(out)))
    return statistics.median(run(publish(str(source), "--out", str(out))) for _ in range(RUNS))


def one_edit(work: Path) -> dict:
    """Edit a paragraph of the 'treatment' handout's section; only what shows it is made
    again, and the other handouts keep their bytes and dates."""
    folder = work / "edit"
    shutil.copytree(SHIPPED.parent, folder)
    source = folder / SHIPPED.name
    out = work / "edit-out"
    run(publish(str(source), "--out", str(out)))
    others = [out / "muscle-spasms" / "handouts" / f"{name}.pdf" for name in ("spasms",
                                                                               "prevention")]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in others}
    times = []
    text = source.read_text(encoding="utf-8")
    for n in range(RUNS):
        source.write_text(text.replace("Laser therapy uses focused beams of light",
                                       f"Laser therapy (edit {n}) uses focused beams of light"),
                          encoding="utf-8")
        times.append(run(publish(str(source), "--out", str(out))))
    untouched = all((p.stat().st_mtime_ns, p.read_bytes()) == before[p] for p in others)
    return {"edit_s": statistics.median(times), "others_untouched": untouched}


def one_edit_watching(work: Path) -> float:
    """The same edit under `publish build --watch`, which keeps the worker server (and its
    WeasyPrint) loaded between builds: seconds from saving the file to the build's summary
    line, so the wait for the file watcher counts too."""
    folder = work / "watch"
    shutil.copytree(SHIPPED.parent, folder)
    source = folder / SHIPPED.name
    text = source.read_text(encoding="utf-8")
    args = [str(BIN / "publish"), "build", "--watch", "--out", str(work / "watch-out"),
            str(source)]
    watcher = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               stderr=subprocess.DEVNULL)

    def finished() -> None:
        assert watcher.stdout is not None
        for line in watcher.stdout:
            if " files in " in line:
                return
        raise RuntimeError("publish build --watch stopped")

    try:
        finished()  # the first, cold build
        times = []
        for n in range(RUNS):
            time.sleep(0.5)  # let the watcher settle
            started = time.perf_counter()
            source.write_text(text.replace("Laser therapy uses focused beams of light",
                                           f"Laser therapy (edit {n}) uses focused beams "
                                           "of light"), encoding="utf-8")
            finished()
            times.append(time.perf_counter() - started)
    finally:
        watcher.terminate()
        watcher.wait()
    return statistics.median(times)


def edit_to_preview(work: Path, *extra: str) -> float:
    """Seconds from saving the manuscript to the read-online page, open in a browser under
    `publish serve`, showing the edit by itself (it reloads on the server's event)."""
    import socket

    from playwright.sync_api import sync_playwright

    from tests import browsers

    folder = work / f"preview{len(extra)}"
    shutil.copytree(SHIPPED.parent, folder)
    source = folder / SHIPPED.name
    text = source.read_text(encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(BIN / "publish"), "serve", str(source), "--port", str(port),
                               "--out", str(work / f"preview-out{len(extra)}"), *extra],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    import queue
    import threading

    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout],
                     daemon=True).start()

    def line_with(text: str) -> None:  # the server's next line that says it
        while text not in lines.get(timeout=300):
            pass

    try:
        line_with("serving ")
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=browsers.chromium())
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/muscle-spasms/read.html")
            for n in range(RUNS):
                time.sleep(1.0)  # let the watcher settle
                marker = f"Laser therapy (edit {n}) uses"
                started = time.perf_counter()
                source.write_text(text.replace("Laser therapy uses", marker), encoding="utf-8")
                page.wait_for_function(f"document.body.innerText.includes({marker!r})",
                                       timeout=120_000)
                times.append(time.perf_counter() - started)
                line_with(" changed: ")  # the whole rebuild is done before the next edit
            browser.close()
    finally:
        server.terminate()
        server.wait()
    return statistics.median(times)


def sections_file(source: Path, ids: list[str], target: Path) -> Path:
    """A manuscript of only the sections ``ids`` (each heading with what follows, up to
    the next heading of its level or above): what pandoc needs to make one handout."""
    lines = source.read_text(encoding="utf-8").split("\n")
    body = lines[lines.index("---", 1) + 1:]
    keep, level = [], 0
    for line in body:
        heading = re.match(r"(#+) .*\{#([\w-]+)", line)
        if heading and len(heading[1]) <= level:
            level = 0
        if heading and heading[2] in ids:
            level = len(heading[1])
        if level:
            keep.append(line)
    target.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return target


def same_work(pandoc: str, work: Path) -> dict:
    """The files one `publish build` makes by default (EPUB, book PDF, a PDF per handout),
    made with pandoc and WeasyPrint from a Makefile run with `make -j2`, beside one cold
    `publish build`. The handouts' sections are cut out beforehand (not timed)."""
    import yaml

    folder = work / "same-work"
    shutil.copytree(SHIPPED.parent, folder)
    source = folder / SHIPPED.name
    meta = yaml.safe_load(source.read_text(encoding="utf-8").split("---")[1])
    rules = ["all: book.epub book.pdf " + " ".join(f"{h['id']}.pdf" for h in meta["handouts"]),
             f"book.epub: {source.name}\n\t{pandoc} $< -o $@",
             f"book.pdf: {source.name}\n\t{pandoc} $< --pdf-engine=weasyprint -o $@"]
    for handout in meta["handouts"]:
        part = sections_file(source, handout["sections"], folder / f"{handout['id']}.md")
        rules.append(f"{handout['id']}.pdf: {part.name}\n\t{pandoc} $< --metadata "
                     f"title=\"{handout['title']}\" --pdf-engine=weasyprint -o $@")
    (folder / "Makefile").write_text("\n\n".join(rules) + "\n", encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    theirs, ours = [], []
    for _ in range(RUNS):
        for made in folder.glob("*.pdf"):
            made.unlink()
        for made in folder.glob("*.epub"):
            made.unlink()
        started = time.perf_counter()
        subprocess.run(["make", "-j2", "-s"], cwd=folder, env=env, check=True,
                       capture_output=True)
        theirs.append(time.perf_counter() - started)
        ours.append(cold(SHIPPED, work))
    return {"make_j2_s": statistics.median(theirs), "ours_s": statistics.median(ours),
            "ratio": statistics.median(ours) / statistics.median(theirs),
            "files": 2 + len(meta["handouts"])}


def floors(source: Path, work: Path) -> dict:
    """What no scheduling can beat: the print book alone (start-up, importing WeasyPrint,
    laying out and writing the book: the chain every full build and every edit of the text
    waits for), and all the work done one step after another in one process (on 2 cores
    a build cannot take less than half of it)."""
    return {"book_alone_s": statistics.median(cold(source, work, "--only", "pdf")
                                              for _ in range(RUNS)),
            "serial_s": statistics.median(cold(source, work, "--jobs", "1")
                                          for _ in range(RUNS))}


def long_guide(copies: int, folder: Path, name: str) -> Path:
    """The shipped chapters, repeated with their ids renumbered."""
    text = SHIPPED.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)

    def copy(n: int) -> str:
        if n == 0:
            return body
        part = re.sub(r"\{#([a-z0-9-]+)\}", rf"{{#\1-{n}}}", body)
        part = re.sub(r"\]\(#([a-z0-9-]+)\)", rf"](#\1-{n})", part)
        return part.replace("[^corset]", f"[^corset{n}]")

    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "images").exists():
        shutil.copytree(SHIPPED.parent / "images", folder / "images")
    path = folder / f"{name}.md"
    path.write_text(front + "\n---\n" + "\n".join(copy(n) for n in range(copies)),
                    encoding="utf-8")
    return path


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        children.setdefault(int(fields["PPid"]), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


def peak_rss_mb(args: list[str]) -> tuple[float, float]:
    """Wall time and the peak memory of the whole build, every process together, in MB.

    Workers are forked from a server process, not from the command, so the memory is
    sampled from /proc every 20 ms across the command's whole process tree. Pages the
    workers share with the server are counted once per process: an overestimate."""
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss_kb(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, args)
    return seconds, peak / 1024


def scale(work: Path) -> dict:
    results = {}
    for copies, name in ((2, "fifty"), (23, "five-hundred")):
        source = long_guide(copies, work / "scale", name)
        out = work / f"scale-{name}"
        seconds, rss = peak_rss_mb(publish(str(source), "--out", str(out), "--no-cache"))
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        pages = next(f["pages"] for f in manifest["guides"][0]["files"] if f["kind"] == "pdf")
        results[name] = {"pages": pages, "seconds": seconds, "peak_rss_mb": rss}
    results["ratio"] = results["five-hundred"]["seconds"] / results["fifty"]["seconds"]
    return results


def several(work: Path) -> dict:
    folder = work / "ten"
    shutil.copytree(SHIPPED.parent / "images", folder / "images")
    text = SHIPPED.read_text(encoding="utf-8")
    sources = []
    for n in range(1, 11):
        path = folder / f"guide-{n}.md"
        path.write_text(text.replace("title: Muscle Spasms\n", f"title: Muscle Spasms {n}\n"),
                        encoding="utf-8")
        sources.append(str(path))
    ones, tens = [], []
    for _ in range(RUNS):  # alternate, like the pandoc comparison
        ones.append(cold(Path(sources[0]), work))
        tens.append(cold(Path(sources[0]), work, *sources[1:]))
    one, ten = statistics.median(ones), statistics.median(tens)
    return {"one_s": one, "ten_s": ten, "ratio": ten / one}


def main() -> None:
    pandoc = ensure_pandoc()
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        work = Path(scratch)
        long = long_guide(2, work / "long", "long-guide")
        results = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                       f"{platform.python_version()}",
            "pandoc": subprocess.run([pandoc, "--version"], capture_output=True,
                                     text=True).stdout.splitlines()[0],
            "cold_shipped": compare_with_pandoc(pandoc, SHIPPED, work),
            "cold_long": compare_with_pandoc(pandoc, long, work),
            "noop_s": noop(SHIPPED, work),
            "check_s": statistics.median(
                run([str(BIN / "publish"), "check", "--strict", str(SHIPPED)])
                for _ in range(RUNS)),
            "one_edit": one_edit(work),
            "one_edit_watch_s": one_edit_watching(work),
            "preview_s": edit_to_preview(work),
            "preview_handouts_s": edit_to_preview(work, "--only", "handouts"),
            "same_work": same_work(pandoc, work),
            "floors": floors(SHIPPED, work),
            "scale": scale(work),
            "ten_guides": several(work),
        }
    cold_s = results["cold_shipped"]["ours_s"]
    results["one_edit"]["ratio_to_cold"] = results["one_edit"]["edit_s"] / cold_s
    results["one_edit"]["watch_ratio_to_cold"] = results["one_edit_watch_s"] / cold_s
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))


def table(r: dict) -> str:
    scale_ = r["scale"]
    rows = [
        ("Cold build, shipped guide", f"{r['cold_shipped']['ours_s']:.2f} s",
         f"pandoc {r['cold_shipped']['pandoc_s']:.2f} s", f"{r['cold_shipped']['ratio']:.2f}×",
         "≤ 1.0×"),
        ("Cold build, long guide", f"{r['cold_long']['ours_s']:.2f} s",
         f"pandoc {r['cold_long']['pandoc_s']:.2f} s", f"{r['cold_long']['ratio']:.2f}×",
         "≤ 1.0×"),
        ("No-op rebuild", f"{r['noop_s']:.2f} s", "", "", "≤ 0.3 s"),
        ("publish check --strict", f"{r['check_s']:.2f} s", "", "", "< 1 s"),
        ("One edit (a handout section)", f"{r['one_edit']['edit_s']:.2f} s",
         "other handouts untouched" if r["one_edit"]["others_untouched"] else "OTHERS CHANGED",
         f"{r['one_edit']['ratio_to_cold']:.0%} of cold", "≤ 60 %"),
        ("One edit, under --watch (save → done)", f"{r['one_edit_watch_s']:.2f} s",
         "WeasyPrint stays loaded", f"{r['one_edit']['watch_ratio_to_cold']:.0%} of cold",
         "≤ 60 %"),
        ("Edit → read-online page reloaded (serve)", f"{r['preview_s']:.2f} s",
         f"--only handouts: {r['preview_handouts_s']:.2f} s", "", "≤ 0.3 s"),
        (f"Same {r['same_work']['files']} files: pandoc + WeasyPrint, make -j2",
         f"{r['same_work']['ours_s']:.2f} s", f"make {r['same_work']['make_j2_s']:.2f} s",
         f"{r['same_work']['ratio']:.2f}×", "≤ 1.0×"),
        ("Floor: the print book alone", f"{r['floors']['book_alone_s']:.2f} s",
         f"pandoc {r['cold_shipped']['pandoc_s']:.2f} s",
         f"{r['floors']['book_alone_s'] / r['cold_shipped']['pandoc_s']:.2f}×", ""),
        ("Floor: all work in one process", f"{r['floors']['serial_s']:.2f} s",
         f"÷ 2 cores = {r['floors']['serial_s'] / 2:.2f} s", "", ""),
        (f"Scale: {scale_['fifty']['pages']} pages", f"{scale_['fifty']['seconds']:.2f} s",
         f"{scale_['fifty']['peak_rss_mb']:.0f} MB", "", ""),
        (f"Scale: {scale_['five-hundred']['pages']} pages",
         f"{scale_['five-hundred']['seconds']:.2f} s",
         f"{scale_['five-hundred']['peak_rss_mb']:.0f} MB",
         f"{scale_['ratio']:.1f}× the {scale_['fifty']['pages']}-page time",
         "≤ 10.5×, ≤ 1024 MB"),
        ("Ten guides", f"{r['ten_guides']['ten_s']:.2f} s",
         f"one: {r['ten_guides']['one_s']:.2f} s", f"{r['ten_guides']['ratio']:.1f}×", "≤ 6×"),
    ]
    header = ("Measure", "Ours", "Compared with", "Ratio", "Target")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(5)]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
             for row in [header, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return f"{r['machine']}; {r['pandoc']}\n" + "\n".join(lines)


if __name__ == "__main__":
    main()
