"""`publish`: the command line of the clinic's publishing pipeline.

Only argument handling lives here; the work is done by the guidepress library, and its
errors become one-line messages and exit codes: 1 = fix your input (or the computer's
folders), 2 = the command line is wrong (Click's convention), 70 = a bug in the tool.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import time
import traceback
from pathlib import Path

import click

from guidepress import __version__

INPUT_EXIT = 1  # the manuscript, the styles or the computer's folders need fixing
BUG_EXIT = 70  # a bug in this program (sysexits.h's EX_SOFTWARE)
EXIT_CODES = ("Exit status: 0 done; 1 a mistake in a manuscript or the styles, or a folder "
              "that cannot be read or written; 2 a wrong command line; 70 a bug in the tool.")


class Day(click.ParamType):
    """A date written YYYY-MM-DD, with a message that tells a wrong format from a day
    that does not exist."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx) -> dt.date:
        if isinstance(value, dt.date):
            return value
        import re

        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.fail(f"'{value}' is not a date written YYYY-MM-DD, like 2026-11-25", param, ctx)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value} does not exist (check the month and the day)", param, ctx)


def project_option(command):
    return click.option(
        "--project", type=click.Path(file_okay=False, exists=True, path_type=Path),
        help="The project folder (holds manuscript/, and styles/ if not the shipped one). "
             "Default: the one the current folder is in.")(command)


def find_project(project: Path | None, styles: Path | None):
    from guidepress.errors import PublishError
    from guidepress.project import Project

    try:
        return Project.find(project, styles)
    except PublishError as exc:
        fail(exc)


def guide_files(files: tuple[Path, ...]) -> list[Path]:
    """The manuscripts given; a folder stands for the *.md files in it."""
    found: list[Path] = []
    for path in files:
        if path.is_dir():
            inside = sorted(path.glob("*.md"))
            if not inside:
                raise click.BadParameter(f"{path} holds no .md manuscripts", param_hint="FILES")
            found += inside
        else:
            found.append(path)
    return found


def default_sources(project) -> list[Path]:
    sources = project.manuscripts()
    if not sources:
        raise click.UsageError(f"no guides given and none found in {project.root / 'manuscript'}/")
    return sources


def fail(exc) -> None:
    click.echo(exc.format(), err=True)
    sys.exit(INPUT_EXIT)


def internal_error(exc: Exception) -> None:
    """A bug in this program, not in the input: one line, and what to do (exit 70)."""
    click.echo(f"internal error: {type(exc).__name__}: {exc}", err=True)
    click.echo("  this is a bug in the publishing tool; run again with --debug and "
               "send the output to the team", err=True)
    sys.exit(BUG_EXIT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="publish")
def cli() -> None:
    """Publish the clinic's patient guides: EPUB ebook, print PDF and one-page handouts.

    Each guide is one Markdown file with YAML front matter (see README.md).
    """


@cli.command(short_help="Build guides into EPUB, PDF, handouts and the downloads site.",
             epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder that receives <slug>/ folders and manifest.json "
                   "(default: dist/ in the project folder).")
@click.option("--only", default="", metavar="LIST",
              help="Comma-separated outputs to build: epub,pdf,handouts,large-print,press, "
                   "or handouts:ID for one handout (default: epub,pdf,handouts).")
@click.option("--press", is_flag=True,
              help="Also build the print-shop edition (trim, bleed, crop marks): "
                   "<slug>/<slug>-press.pdf.")
@click.option("--large-print", is_flag=True,
              help="Also build the large-print edition (18 pt): <slug>/<slug>-large-print.pdf "
                   "and handouts/<id>-large-print.pdf.")
@click.option("--styles", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder with brand.yaml, templates and CSS (default: the project's styles/).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default="number of processors",
              help="Worker processes that lay out pages at the same time.")
@click.option("--no-cache", is_flag=True,
              help="Make every file again instead of reusing unchanged results.")
@click.option("--drafts", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for translations not yet reviewed, marked DRAFT on every page; "
                   "never the output folder (default: drafts/ in the project folder).")
@click.option("--watch", is_flag=True,
              help="After building, rebuild whenever a manuscript, image or style changes.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also print the hints under warnings.")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@project_option
def build(files: tuple[Path, ...], out: Path | None, only: str, press: bool,
          large_print: bool, styles: Path | None, jobs: int, no_cache: bool,
          drafts: Path | None, watch: bool, quiet: bool, verbose: bool, debug: bool,
          project: Path | None) -> None:
    """Build FILES (default: every manuscript/*.md of the project) into the output folder."""
    started = time.perf_counter()
    stop_on_sigterm()
    where = find_project(project, styles)
    sources = guide_files(files) or default_sources(where)
    outputs = output_list(only, press, large_print)
    out = out or where.default_out()
    drafts = drafts or where.default_drafts()
    key = None
    if not no_cache and not watch:
        from guidepress.build import noop

        key = noop.stamp(sources, out, where, (tuple(outputs), str(drafts)))
        replay = noop.up_to_date(out, key, drafts) if key else None
        if replay is not None:  # nothing changed: answer before importing anything heavy
            for line in replay:
                click.echo(line if verbose else line.split("\n")[0], err=True)
            if not quiet:
                from guidepress.errors import display_path

                click.echo(f"nothing changed; {display_path(out)} is up to date "
                           f"({time.perf_counter() - started:.2f} s)")
            return
    if jobs > 1:
        from guidepress.build.workers import start_workers

        start_workers()  # WeasyPrint loads in the background while the rest starts up
    run = functools.partial(run_once, sources, out, drafts, outputs, where, jobs,
                            not no_cache, quiet, verbose, debug)
    ok = run(key=key)  # the stamp already taken; a watch rebuild takes its own
    if watch:
        watch_and_rebuild(sources, out, where.styles, run)
    elif not ok:
        sys.exit(INPUT_EXIT)


def stop_on_sigterm() -> None:
    """SIGTERM (`kill`, a service manager, a CI timeout) stops a build the way Ctrl-C
    does, so its scratch folder is removed and its workers are stopped on the way out."""
    import signal

    def stop(signum: int, frame) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def output_list(only: str, press: bool, large_print: bool = False) -> list[str]:
    from guidepress.writers import DEFAULT_OUTPUTS, REGISTRY

    outputs = [name.strip() for name in only.split(",") if name.strip()] or \
        list(DEFAULT_OUTPUTS)
    for flag, name in ((large_print, "large-print"), (press, "press")):
        if flag and name not in outputs:
            outputs.append(name)
    for name in outputs:
        if name.startswith("handouts:") and name[len("handouts:"):]:
            continue  # one handout, by its id (checked against the guides by the build)
        if name not in REGISTRY:
            raise click.BadParameter(f"'{name}' (choose from {', '.join(REGISTRY)}, or "
                                     "handouts:ID for one handout)", param_hint="--only")
    return outputs


def run_once(sources: list[Path], out: Path, drafts: Path, outputs: list[str], project,
             jobs: int, cache: bool, quiet: bool, verbose: bool, debug: bool,
             key: str | None = None) -> bool:
    """One build with progress lines; False when the input has a mistake."""
    from guidepress.build import build as run_build
    from guidepress.build import noop
    from guidepress.errors import PublishError, display_path, environment_error

    started = time.perf_counter()
    if cache and key is None:
        # Stamp the inputs before building, so an edit made during the build is not
        # recorded as built.
        key = noop.stamp(sources, out, project, (tuple(outputs), str(drafts)))
    show = (lambda task, result: None) if quiet else progress_line
    try:
        result = run_build(sources, out, project=project, only=outputs, jobs=jobs,
                           cache=cache, progress=show, drafts=drafts)
    except PublishError as exc:
        if debug:
            traceback.print_exc()
        click.echo(exc.format(), err=True)
        return False
    except OSError as exc:  # the computer's folders: read-only, full, missing
        if debug:
            traceback.print_exc()
        click.echo(environment_error(exc, out).diagnostic.format(), err=True)
        return False
    except Exception as exc:  # a bug in the pipeline, not in the manuscript
        if debug:
            raise
        internal_error(exc)
    lines = [w.format() for w in result.warnings]
    if result.drafts:
        lines += [w.format() for w in result.drafts.warnings]
    for line in dict.fromkeys(lines):
        click.echo(line if verbose else line.split("\n")[0], err=True)
    files = [f for job in result.guides for f in job.files]
    if not quiet:
        cached = sum(1 for f in files if f.path in result.cached)
        from guidepress.units import plural

        click.echo(f"{plural(len(files), 'file')} in {time.perf_counter() - started:.1f} s"
                   f"{f', {cached} from cache' if cached else ''}; "
                   f"manifest: {display_path(out / 'manifest.json')}")
        if result.drafts and result.drafts.guides:
            count = sum(len(job.files) for job in result.drafts.guides)
            click.echo(f"{plural(count, 'draft file')} (translations not yet reviewed; "
                       f"not for upload): {display_path(drafts)}/")
    if key is not None:
        noop.record(out, key, lines, drafts)
    return True


def progress_line(task, result) -> None:
    """One line per output as it is finished: what, how big, how long."""
    from guidepress.units import human_size, plural

    for file in (f for f in result.files if f.kind != "site"):
        pages = f", {plural(file.pages, 'page')}" if file.pages else ""
        when = "from cache" if result.cached else f"{result.seconds:.1f} s"
        mark = click.style("✓", fg="green") if sys.stdout.isatty() else "-"
        click.echo(f"{mark} {file.path} ({human_size(len(file.data))}{pages}) {when}")


def watch_and_rebuild(sources: list[Path], out: Path, styles: Path, run) -> None:
    from guidepress.serve import describe, edits

    click.echo("watching for changes (Ctrl-C to stop)")
    try:
        for changes in edits(sources, out, styles):
            click.echo(describe(changes))
            run()
    except KeyboardInterrupt:
        click.echo("stopped")


@cli.command(short_help="Check guides for what makes them hard to read or out of date.",
             epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Print findings as lines, or as a JSON list for tools.")
@click.option("--today", type=Day(),
              help="Judge review dates as of this day, YYYY-MM-DD (default: today).")
@click.option("--render", is_flag=True,
              help="Also lay out the book and every handout: each handout fits one page, "
                   "nothing runs past an edge (slower).")
@click.option("--styles", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder with brand.yaml and jargon.yaml (default: the project's styles/).")
@project_option
def check(files: tuple[Path, ...], strict: bool, output_format: str,
          today: dt.date | None, render: bool, styles: Path | None,
          project: Path | None) -> None:
    """Check FILES (default: every manuscript/*.md) for what makes patient material hard
    to read, inaccessible or out of date; print `file:line:col: severity rule message`."""
    from guidepress.checks import check_files, project_limits, summary, translation_lines
    from guidepress.errors import PublishError

    where = find_project(project, styles)
    sources = guide_files(files) or default_sources(where)
    try:
        findings = check_files(sources, where.styles, today or dt.date.today(), render,
                               project_limits(where))
    except PublishError as exc:  # the brand file itself is broken
        fail(exc)
    if output_format == "json":
        click.echo(json.dumps([f.as_json() for f in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            click.echo(finding.format_check())
        for line in translation_lines(sources):  # each language's state, even when fine
            click.echo(line)
        click.echo(summary(findings, len(sources)))
    failed = any(f.severity == "error" for f in findings) or (strict and bool(findings))
    sys.exit(1 if failed else 0)


@cli.command(short_help="Preview the site on this computer, rebuilt on every save.",
             epilog=EXIT_CODES)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to build into (default: a new temporary folder).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; only this computer unless you change it.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--styles", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder with brand.yaml, templates and CSS (default: the project's styles/).")
@click.option("--only", default="", metavar="LIST",
              help="Outputs to build, as for `publish build` (default: epub,pdf,handouts).")
@click.option("--press", is_flag=True, help="Also build the print-shop edition.")
@click.option("--large-print", is_flag=True, help="Also build the large-print edition.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=os.cpu_count() or 1,
              show_default=True, help="Outputs to make at the same time.")
@click.option("--open", "open_browser", is_flag=True,
              help="Open the preview in the web browser.")
@project_option
def serve(files: tuple[Path, ...], out: Path | None, host: str, port: int,
          styles: Path | None, only: str, press: bool, large_print: bool, jobs: int,
          open_browser: bool, project: Path | None) -> None:
    """Build FILES, serve the result at http://HOST:PORT/ and rebuild on every change to
    the manuscripts, their images or styles/. Open pages reload by themselves after each
    rebuild, and show the error when a build fails."""
    import contextlib
    import tempfile
    import webbrowser

    from guidepress.serve import Options, ServeError, stopped_by_signals
    from guidepress.serve import serve as run_serve

    where = find_project(project, styles)
    sources = guide_files(files) or default_sources(where)
    options = Options(tuple(output_list(only, press, large_print)), jobs)
    # Without --out, the build goes to a folder this command owns and removes on the way
    # out, however it ends (Ctrl-C, kill, a taken port, a bug).
    scratch = (contextlib.nullcontext(None) if out else
               tempfile.TemporaryDirectory(prefix="publish-serve-"))
    with scratch as folder, stopped_by_signals():
        target = out or Path(folder) / "site"
        try:
            run_serve(sources, target, where.styles, host, port, click.echo, project=where,
                      options=options, open_page=webbrowser.open if open_browser else None)
        except ServeError as error:  # fix your environment: exit 1, one line
            click.echo(f"error: {error}", err=True)
            sys.exit(INPUT_EXIT)


@cli.command(short_help="Run the accessibility checkers on built files; write the report.",
             epilog=EXIT_CODES)
@click.argument("out", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--strict", is_flag=True,
              help="Exit 1 if any check failed or any checker could not run.")
@click.option("--quiet", "-q", is_flag=True, help="Print only problems.")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.option("--styles", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder with brand.yaml, templates and CSS (default: the project's styles/).")
@project_option
def verify(out: Path | None, strict: bool, quiet: bool, debug: bool, styles: Path | None,
           project: Path | None) -> None:
    """Check every file in OUT (default: the project's dist/) with EPUBCheck, DAISY Ace,
    the PDF/UA checkers and axe-core, and write <guide>/accessibility.json and
    accessibility.html there. A checker that is not installed is reported as not run."""
    from guidepress.errors import PublishError, display_path, environment_error
    from guidepress.verify.run import verify as run_verify

    where = find_project(project, styles)
    out = out or where.default_out()
    say = (lambda line: None) if quiet else click.echo
    try:
        reports = run_verify(out, where, say)
    except (PublishError, OSError) as exc:  # OSError: the folder is read-only, full…
        if debug:
            traceback.print_exc()
        fail(exc if isinstance(exc, PublishError) else environment_error(exc, out))
    except Exception as exc:  # a bug in the tool, not in the files
        if debug:
            raise
        internal_error(exc)
    problems = 0
    for report in reports:
        for result in report.failed + report.not_run:
            problems += 1
            detail = result.reason if result.status == "not run" else "; ".join(
                f"{f.rule}: {f.message}" for f in result.findings[:3])
            click.echo(f"{display_path(out / result.file)}: {result.status}: "
                       f"{result.tool}: {detail}", err=True)
        if not quiet:
            passed = sum(1 for r in report.results if r.status == "passed")
            click.echo(f"{report.slug}: {passed} of {len(report.results)} checks passed, "
                       f"{len(report.failed)} failed, {len(report.not_run)} not run; "
                       f"report: {display_path(out / report.slug / 'accessibility.html')}")
    failed = any(report.failed for report in reports)
    if failed or (strict and problems):
        sys.exit(INPUT_EXIT)


@cli.group(short_help="Translate guides: message catalogs for translators (gettext).")
def i18n() -> None:
    """Translate guides the way documentation projects do: `publish i18n extract` writes
    each guide's messages to manuscript/locale/<slug>.pot; `publish i18n update --lang es`
    merges them into manuscript/locale/es/<slug>.po for a translator's PO editor. A
    translation is published once its header records a review (see README.md)."""


@i18n.command(short_help="Write each guide's messages to manuscript/locale/<slug>.pot.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@project_option
def extract(files: tuple[Path, ...], project: Path | None) -> None:
    """Write the POT catalog of FILES (default: every manuscript/*.md)."""
    from guidepress import i18n as translate
    from guidepress.errors import PublishError, display_path

    where = find_project(project, None)
    sources = guide_files(files) or default_sources(where)
    try:
        written = translate.extract(sources, where)
    except PublishError as exc:
        fail(exc)
    for path, count, warnings in written:
        for warning in warnings:
            click.echo(warning.format().split("\n")[0], err=True)
        click.echo(f"{display_path(path)}: {count} messages")


@i18n.command(short_help="Merge the messages into manuscript/locale/LANG/<slug>.po.")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--lang", "language", required=True, metavar="LANG",
              help="The language to translate into, as a language tag: es, es-MX, vi…")
@project_option
def update(files: tuple[Path, ...], language: str, project: Path | None) -> None:
    """Create or update the LANG catalog of FILES (default: every manuscript/*.md): new
    messages are added untranslated, changed ones marked fuzzy, removed ones obsolete."""
    from guidepress import i18n as translate
    from guidepress.errors import PublishError, display_path

    where = find_project(project, None)
    sources = guide_files(files) or default_sources(where)
    try:
        done = translate.update(sources, where, language)
    except PublishError as exc:
        fail(exc)
    for item in done:
        for warning in item.warnings:
            click.echo(warning.format().split("\n")[0], err=True)
        state = item.state
        verb = "created" if item.created else "updated"
        click.echo(f"{display_path(item.path)}: {verb}; {state.translated} translated, "
                   f"{state.fuzzy} fuzzy, {state.untranslated} untranslated"
                   + (f", {item.obsolete} obsolete" if item.obsolete else ""))


@cli.command(short_help="Start a new guide from the template in styles/.",
             epilog=EXIT_CODES)
@click.argument("title")
@project_option
def new(title: str, project: Path | None) -> None:
    """Write manuscript/<name>.md for a guide called TITLE, from
    styles/templates/new-guide.md: front matter with every key explained, the chapters
    the clinic's guides share, a key-points box, a "get help" warning and two handouts.
    An existing file is never replaced."""
    from guidepress.errors import PublishError, display_path
    from guidepress.new import new_guide

    where = find_project(project, None)
    try:
        path = new_guide(where, title, dt.date.today())
    except PublishError as exc:
        fail(exc)
    shown = display_path(path)
    click.echo(f"wrote {shown}; next, see it in your browser as you edit it:")
    click.echo(f"  publish serve {shown}")


@cli.command(short_help="Remove an output folder's build cache, lock and leftovers.",
             epilog=EXIT_CODES)
@click.argument("out", required=False, type=click.Path(file_okay=False, path_type=Path))
@project_option
def clean(out: Path | None, project: Path | None) -> None:
    """Remove what builds into OUT (default: the project's dist/) keep besides the files:
    the cache (~/.cache/guidepress/builds/…), the lock, and staged files a killed build
    left. The files to upload stay; the next build makes everything again."""
    from guidepress.build.clean import clean as run_clean
    from guidepress.errors import PublishError, display_path
    from guidepress.units import human_size, plural

    where = find_project(project, None)
    out = out or where.default_out()
    try:
        removed, size = run_clean(out)
    except PublishError as exc:
        fail(exc)
    click.echo(f"removed {plural(removed, 'file')} ({human_size(size)}) kept for "
               f"{display_path(out)}" if removed else f"nothing to remove for {display_path(out)}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
