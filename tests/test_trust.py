"""What is in the output folder is what the manuscripts make now: stale editions, the cache,
the lock, temporary files, exit statuses."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import publish
from guidepress.build import build
from guidepress.build import noop as fastpath
from guidepress.build.cache import SUFFIX, Cache, dumps, loads
from guidepress.errors import PublishError
from guidepress.project import Project, build_cache

from .conftest import ROOT, SHIPPED, TEST_GUIDE
from .pdftools import page_texts

ALL = ["epub", "pdf", "handouts", "press"]
OLD, NEW = "Balance practice lowers", "Balance drills lower"


def folder_text(folder: Path) -> dict[str, str]:
    """The text of every file under ``folder``: PDFs through pdftotext, ebooks member by
    member, everything else as it is."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = str(path.relative_to(folder))
        if path.suffix == ".pdf":
            texts[name] = " ".join(" ".join(page_texts(path)).split())
        elif path.suffix == ".epub":
            with zipfile.ZipFile(path) as book:
                texts[name] = " ".join(book.read(n).decode("utf-8", "replace")
                                       for n in book.namelist())
        else:
            texts[name] = path.read_bytes().decode("utf-8", "replace")
    return {name: " ".join(text.split()) for name, text in texts.items()}


def edit(guide: Path, old: str = OLD, new: str = NEW) -> None:
    text = guide.read_text(encoding="utf-8")
    assert old in text
    guide.write_text(text.replace(old, new), encoding="utf-8")


def listed(out: Path) -> list[str]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return [f["path"] for g in manifest["guides"] for f in g["files"]]


# -- stale output ------------------------------------------------------------------------


def test_an_edition_not_rebuilt_after_an_edit_leaves_the_folder(guide_copy, tmp_path):
    """--press, an edit, then a plain build: no file may still hold the old text."""
    out = tmp_path / "out"
    build([guide_copy], out, only=ALL)
    press = "ankle-sprain/ankle-sprain-press.pdf"
    assert OLD in folder_text(out)[press]
    edit(guide_copy)
    result = build([guide_copy], out)
    stale = [name for name, text in folder_text(out).items() if OLD in text]
    assert stale == []
    assert not (out / press).exists() and press not in listed(out)
    assert any(NEW in text for text in folder_text(out).values())
    notes = [w.message for w in result.warnings if press in w.message]
    assert notes and "--press" in notes[0], [w.message for w in result.warnings]


def test_an_unchanged_edition_not_asked_for_stays_and_is_not_made_again(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out, only=ALL)
    plain = build([guide_copy], out)
    assert "ankle-sprain/ankle-sprain-press.pdf" in listed(out)
    assert plain.cached == set(listed(out))  # all reused, none made again
    again = build([guide_copy], out, only=ALL)
    assert again.cached == set(listed(out))


def test_a_partial_build_then_a_full_one_reuses_every_unchanged_result(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out)
    edit(guide_copy)
    partial = build([guide_copy], out, only=["handouts"])
    # The book and ebook were made from the old text and the cache has nothing newer.
    assert listed(out) == ["ankle-sprain/handouts/first-days.pdf",
                           "ankle-sprain/handouts/getting-back.pdf"]
    assert len([w for w in partial.warnings if w.message.startswith("removed")]) == 2
    full = build([guide_copy], out)
    assert full.cached == {"ankle-sprain/handouts/first-days.pdf",
                           "ankle-sprain/handouts/getting-back.pdf"}
    handouts = build([guide_copy], out, only=["handouts"])
    assert handouts.cached == set(listed(out))  # the book and ebook stay: still current


def test_another_guide_in_the_folder_is_kept_only_while_current(guide_copy, tmp_path):
    out = tmp_path / "out"
    other = tmp_path / "other" / "knee-pain.md"
    shutil.copytree(guide_copy.parent, other.parent)
    (other.parent / "ankle-sprain.md").rename(other)
    build([guide_copy], out)
    build([other], out)
    assert {p.split("/")[0] for p in listed(out)} == {"ankle-sprain", "knee-pain"}
    edit(guide_copy)
    result = build([other], out)  # the ankle guide was edited but not asked for
    # Only its handout that does not show the edit is still what the manuscript makes.
    ankle = [p for p in listed(out) if p.startswith("ankle-sprain/")]
    assert ankle == ["ankle-sprain/handouts/first-days.pdf"]
    assert sorted(p.name for p in (out / "ankle-sprain").glob("*.*")) == [
        "accessibility.html", "accessibility.json", "index.html", "read.html"]
    assert [n for n, text in folder_text(out / "ankle-sprain").items() if OLD in text] == []
    assert len([w for w in result.warnings if "ankle-sprain/" in w.message]) == 3
    build([guide_copy], out)  # built again: both are listed, each current
    assert {p.split("/")[0] for p in listed(out)} == {"ankle-sprain", "knee-pain"}
    other.unlink()
    result = build([guide_copy], out)  # a guide whose manuscript is gone is removed
    assert {p.split("/")[0] for p in listed(out)} == {"ankle-sprain"}
    assert any("'knee-pain'" in w.message for w in result.warnings)


# -- the cache ---------------------------------------------------------------------------


def entries(out: Path) -> set[str]:
    return {p.name for p in build_cache(out).glob(f"*{SUFFIX}")}


def test_the_cache_forgets_what_no_build_can_use(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out, only=ALL)
    first = entries(out)
    edit(guide_copy)
    build([guide_copy], out, only=ALL)
    second = entries(out)
    # The handout whose sections did not change keeps its entry; the rest are new.
    assert len(second) == len(first)
    assert 1 <= len(first & second) <= 3  # favicon, cover, first-days handout
    edit(guide_copy, NEW, OLD)
    build([guide_copy], out, only=["handouts"])
    assert len(entries(out)) <= len(first)  # nothing piles up


def test_cache_entries_are_data_and_a_damaged_one_is_ignored(guide_copy, tmp_path):
    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    folder = build_cache(out)
    assert folder.stat().st_mode & 0o077 == 0  # only this user
    assert not folder.is_relative_to(out.parent)  # never in or beside the upload folder
    entry = next(folder.glob(f"ankle-sprain--*{SUFFIX}"))
    data = entry.read_bytes()
    assert loads(data) is not None
    assert b"\x80\x04" not in data[:34]  # not a pickle
    entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit flipped
    assert loads(entry.read_bytes()) is None
    result = build([guide_copy], out, only=["handouts"])
    assert len(result.cached) == 1  # the damaged one was made again, the other reused


def test_a_planted_pickle_runs_nothing(tmp_path, guide_copy):
    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    marker = tmp_path / "ran"
    payload = (b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR.")
    for entry in build_cache(out).glob(f"*{SUFFIX}"):
        entry.write_bytes(payload)
    build([guide_copy], out, only=["handouts"])
    assert not marker.exists()


def test_an_unrelated_package_does_not_change_the_program_fingerprint(tmp_path, monkeypatch):
    before = fastpath.requirement_closure("guidepress")
    site = tmp_path / "site"
    (site / "unrelated_thing-1.0.dist-info").mkdir(parents=True)
    (site / "unrelated_thing-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: unrelated-thing\nVersion: 1.0\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    assert any("unrelated_thing" in name for name in fastpath.installed().values())
    assert fastpath.libraries() == before  # worked out again, and the same
    assert "unrelated-thing" not in before and "weasyprint" in before and "pydyf" in before


def test_a_cache_entry_round_trips(tmp_path):
    from guidepress.build.tasks import TaskResult
    from guidepress.errors import Diagnostic
    from guidepress.render.pages import PageStart
    from guidepress.writers import OutputFile

    result = TaskResult([OutputFile("pdf", "a/a.pdf", "A", b"%PDF", pages=2, thumb=b"png")],
                        pages=[PageStart(0, "i", "toc", 0)], cover=(b"c", b"t"),
                        warnings=[Diagnostic(tmp_path / "a.md", 3, "low resolution")])
    assert loads(dumps(result)) == result
    assert Cache(None).load is not None


# -- settings, the no-op check and the lock -------------------------------------------------


def project_folder(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(TEST_GUIDE.parent, root / "manuscript")
    return root


def test_check_limits_come_from_the_project_not_the_current_folder(tmp_path, monkeypatch):
    root = project_folder(tmp_path)
    (root / "pyproject.toml").write_text("[tool.publish.check]\nlong_sentence_words = 5\n",
                                         encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    strict = CliRunner().invoke(publish.cli, ["check", "--project", str(root)])
    monkeypatch.chdir(root / "manuscript")  # below the project: found by walking up
    found = CliRunner().invoke(publish.cli, ["check"])
    monkeypatch.chdir(ROOT)
    usual = CliRunner().invoke(publish.cli, ["check", str(root / "manuscript" /
                                                         TEST_GUIDE.name)])
    assert "long-sentence" in strict.output and "long-sentence" in found.output
    assert strict.output.count("long-sentence") > usual.output.count("long-sentence")


def test_a_change_to_the_project_settings_is_not_a_no_op(tmp_path, monkeypatch):
    root = project_folder(tmp_path)
    settings = root / "pyproject.toml"
    settings.write_text("[tool.publish.check]\nlong_sentence_words = 40\n", encoding="utf-8")
    monkeypatch.chdir(root)
    assert CliRunner().invoke(publish.cli, ["build", "--only", "epub"]).exit_code == 0
    again = CliRunner().invoke(publish.cli, ["build", "--only", "epub"])
    assert "nothing changed" in again.output
    settings.write_text("[tool.publish.check]\nlong_sentence_words = 6\n", encoding="utf-8")
    changed = CliRunner().invoke(publish.cli, ["build", "--only", "epub"])
    assert "nothing changed" not in changed.output
    assert "long-sentence" in changed.stderr
    assert (root / "dist" / "manifest.json").is_file()


def test_the_lock_covers_the_whole_build(tmp_path):
    from filelock import FileLock

    out = tmp_path / "out"
    with FileLock(build_cache(out) / "lock"):
        started = time.perf_counter()
        with pytest.raises(PublishError, match="another build is writing to this folder"):
            build([tmp_path / "not-read-yet.md"], out)  # refused before any reading
        assert time.perf_counter() - started < 1
    assert not out.exists()


def test_two_builds_at_once_one_is_refused(guide_copy, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "publish", "build", str(guide_copy), "--out", str(out),
               "--only", "pdf", "--no-cache"]
    # The first build makes the press edition too, so it holds the lock for a while; the
    # second starts once it does (the scratch folder exists only while the lock is held).
    first = subprocess.Popen([*command, "--press"], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    scratch = build_cache(out)
    deadline = time.monotonic() + 60
    while not any(scratch.glob("scratch-*")) and time.monotonic() < deadline:
        time.sleep(0.01)
    second = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 1
    assert "another build is writing to this folder" in second.stderr
    assert "Traceback" not in second.stderr


# -- temporary files -----------------------------------------------------------------------


def run_publish(args: list[str], temp: Path, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "TMPDIR": str(temp)}
    return subprocess.run([sys.executable, "-m", "publish", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, **kwargs)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_build_leaves_no_temporary_files(guide_copy, tmp_path, jobs):
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = run_publish(["build", str(guide_copy), "--out", str(tmp_path / "out"), "--jobs",
                        jobs, "--press"], temp)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in temp.iterdir()) == []


def test_a_failed_build_leaves_no_temporary_files(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    guide = Path(__file__).parent / "corpus" / "handout-too-long.md"
    done = run_publish(["build", str(guide), "--out", str(tmp_path / "out"), "--jobs", "2"],
                       temp)
    assert done.returncode == 1
    assert sorted(p.name for p in temp.iterdir()) == []
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_an_interrupted_build_leaves_no_temporary_files(guide_copy, tmp_path, how):
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    process = subprocess.Popen([sys.executable, "-m", "publish", "build", str(guide_copy),
                                "--out", str(tmp_path / "out"), "--jobs", "2", "--press"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(temp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are laying pages out
    process.send_signal(how)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in err, err
    for _ in range(50):  # the worker server exits just after the command
        if not any(temp.iterdir()):
            break
        time.sleep(0.1)
    assert sorted(p.name for p in temp.iterdir()) == []


# -- errors a user sees --------------------------------------------------------------------


def test_a_styles_folder_without_a_template_is_the_users_mistake(tmp_path):
    styles = tmp_path / "styles"
    shutil.copytree(Project.find().styles, styles)
    (styles / "css" / "handout.css").unlink()
    result = CliRunner().invoke(publish.cli, ["build", str(TEST_GUIDE), "--out",
                                              str(tmp_path / "out"), "--styles", str(styles)])
    assert result.exit_code == 1
    assert "css/handout.css is missing from the styles folder" in result.stderr
    assert "internal error" not in result.output and "bug" not in result.output
    assert not (tmp_path / "out").exists()


def test_an_unwritable_output_folder_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(publish.cli, ["build", str(TEST_GUIDE), "--out",
                                              str(blocker / "out"), "--only", "epub"])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert "cannot use it" in result.stderr


def test_messages_count_and_name_things_properly(guide_copy, tmp_path):
    result = CliRunner().invoke(publish.cli, ["build", str(guide_copy), "--out",
                                              str(tmp_path / "out"), "--only", "epub"])
    assert "1 file in" in result.output
    twin = tmp_path / "twin" / "ankle-sprain.md"
    shutil.copytree(guide_copy.parent, twin.parent)
    clash = CliRunner().invoke(publish.cli, ["build", str(guide_copy), str(twin), "--out",
                                             str(tmp_path / "out2")])
    assert clash.exit_code == 1
    assert str(guide_copy) in clash.stderr.replace("\n  ", " ") or "guide/" in clash.stderr
    assert "twin" in clash.stderr


def test_help_is_whole_and_says_the_exit_statuses():
    top = CliRunner().invoke(publish.cli, ["--help"]).output
    commands = top.split("Commands:")[1].strip().splitlines()
    assert len(commands) >= 3 and not any(line.endswith("...") for line in commands), commands
    assert "70" in top and "Exit status" in top
    check = CliRunner().invoke(publish.cli, ["check", "--help"]).output
    assert "--today YYYY-MM-DD" in check and "%Y" not in check


def test_an_impossible_day_is_not_called_a_format_mistake():
    result = CliRunner().invoke(publish.cli, ["check", "--today", "2026-02-30",
                                              str(TEST_GUIDE)])
    assert result.exit_code == 2
    assert "2026-02-30 does not exist" in result.output
    wrong = CliRunner().invoke(publish.cli, ["check", "--today", "30/02/2026", str(TEST_GUIDE)])
    assert "not a date written YYYY-MM-DD" in wrong.output


def test_build_folders_are_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "build/" in ignored and "dist/" in ignored


def test_a_bad_project_limit_names_its_pyproject_line(tmp_path, monkeypatch):
    root = project_folder(tmp_path)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.publish.check]\n"
                                         "review_months = 120000\n", encoding="utf-8")
    monkeypatch.chdir(root)
    for command in (["check"], ["build", "--only", "epub"]):
        result = CliRunner().invoke(publish.cli, command)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("pyproject.toml:5: error: 'review_months'"), \
            result.stderr
    assert not (root / "dist").exists()


def test_a_crafted_manifest_cannot_steer_writes_or_deletes(guide_copy, tmp_path):
    """The output folder is uploaded and edited by others: its manifest is data to check,
    not instructions."""
    out = tmp_path / "site" / "out"
    out.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    crafted = {"guides": [
        {"slug": "../../../x", "files": [{"kind": "pdf", "path": "../../victim.txt",
                                          "bytes": 7}]},
        {"slug": "/abs", "files": [{"kind": "epub", "path": str(victim), "bytes": 7}]}],
        "site": ["../../victim.txt", str(victim)]}
    (out / "manifest.json").write_text(json.dumps(crafted), encoding="utf-8")
    before = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(out))
    build([guide_copy], out, only=["handouts"])
    assert victim.read_text(encoding="utf-8") == "keep me"
    after = sorted(p for p in tmp_path.rglob("*") if not p.is_relative_to(out))
    assert after == before  # nothing written outside the output folder
    assert {g["slug"] for g in json.loads((out / "manifest.json").read_text())["guides"]} \
        == {"ankle-sprain"}


# -- faults: a killed build ----------------------------------------------------------------


def group_members(pgid: int) -> dict[int, int]:
    """Live processes in a process group, with their parents (zombies do not count: they
    hold nothing)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found[int(stat.parent.name)] = int(fields[1])
    return found


def workers_of(members: dict[int, int]) -> list[int]:
    """The worker processes: children of the worker server (a child of the command)."""
    servers = set()
    for pid in members:
        with contextlib.suppress(OSError):
            if b"forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                servers.add(pid)
    return [pid for pid, parent in members.items() if parent in servers]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_build_leaves_no_process_and_its_litter_is_cleared(guide_copy, tmp_path):
    out = tmp_path / "out"
    # The shipped guide: its book keeps the workers busy for a few seconds.
    process = subprocess.Popen([sys.executable, "-m", "publish", "build", str(SHIPPED),
                                "--out", str(out), "--jobs", "2", "--press", "--no-cache"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    folder = build_cache(out)
    deadline = time.monotonic() + 60
    seen: list[int] = []
    while time.monotonic() < deadline:
        # The same workers twice, 0.2 s apart: the worker server also forks short-lived
        # helpers of its own (library lookups) while it imports WeasyPrint.
        now = workers_of(group_members(process.pid))
        if now and now == seen:
            break
        seen = now
        time.sleep(0.2)
    running = group_members(process.pid)
    assert workers_of(running) and process.poll() is None, running
    assert list(folder.glob("scratch-*"))
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)  # returns once nothing holds its output open
    for _ in range(100):
        if not group_members(process.pid):
            break
        time.sleep(0.1)
    assert group_members(process.pid) == {}
    # What it left, the next build clears: its scratch folder and any staged parts.
    part = out / "ankle-sprain" / ".ankle-sprain.pdf.x1y2z3.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"half a file")
    build([guide_copy], out, only=["handouts"])
    assert not part.exists()
    assert list(folder.glob("scratch-*")) == []


def test_the_old_manifest_is_gone_while_files_are_swapped(guide_copy, tmp_path, monkeypatch):
    """A build stopped between two renames must not leave a manifest that describes files
    it has already replaced."""
    from guidepress.build import output as build_module

    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    edit(guide_copy, "Stand on the hurt foot", "Stand on the sore foot")
    renames = []

    def stop_after_one(source, target):
        if renames:
            raise KeyboardInterrupt
        renames.append(target)
        os.rename(source, target)

    monkeypatch.setattr(build_module.os, "replace", stop_after_one)
    with pytest.raises(KeyboardInterrupt):
        build([guide_copy], out, only=["handouts"])
    monkeypatch.undo()
    assert renames and not (out / "manifest.json").exists()
    build([guide_copy], out, only=["handouts"])
    assert (out / "manifest.json").is_file()


# -- the PDFs draw what the reader checked ----------------------------------------------------


def coloured_pixels(pdf: Path, tmp_path: Path) -> tuple[int, int]:
    """How many clearly red and clearly blue pixels the PDF's pages have."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    red = blue = 0
    for png in tmp_path.glob("page*.png"):
        with Image.open(png) as image:
            data = image.convert("RGB").tobytes()
        for i in range(0, len(data), 3):
            r, g, b = data[i], data[i + 1], data[i + 2]
            red += r > 200 and g < 60 and b < 60
            blue += b > 200 and r < 60 and g < 60
    return red, blue


def test_a_linked_manuscript_cannot_make_the_pdf_draw_an_unchecked_image(tmp_path):
    """The reader checks images beside the manuscript as named; the PDFs once looked
    beside the file a symlinked manuscript points to. Now every layout is served the
    checked bytes and nothing else."""
    square = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 260">'
              '<rect width="400" height="260" fill="{}"/></svg>')
    real, link = tmp_path / "real", tmp_path / "link"
    shutil.copytree(TEST_GUIDE.parent, real)
    (real / "images" / "ankle.svg").write_text(square.format("#ff0000"), encoding="utf-8")
    (link / "images").mkdir(parents=True)
    (link / "images" / "ankle.svg").write_text(square.format("#0000ff"), encoding="utf-8")
    (link / TEST_GUIDE.name).symlink_to(real / TEST_GUIDE.name)
    out = tmp_path / "out"
    build([link / TEST_GUIDE.name], out, only=["epub", "pdf"])
    with zipfile.ZipFile(out / "ankle-sprain" / "ankle-sprain.epub") as book:
        drawn = [book.read(n) for n in book.namelist() if n.endswith("ankle.svg")]
    assert drawn and b"#0000ff" in drawn[0]  # the ebook shows the checked image
    red, blue = coloured_pixels(out / "ankle-sprain" / "ankle-sprain.pdf", tmp_path)
    assert blue > 100 and red == 0, (red, blue)  # and so does the print book


def test_a_full_disk_is_a_one_line_error_and_the_folder_is_untouched(guide_copy, tmp_path,
                                                                      monkeypatch):
    import errno

    from guidepress.build import output as build_module

    out = tmp_path / "out"
    build([guide_copy], out, only=["handouts"])
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(guide_copy, "Stand on the hurt foot", "Stand on the sore foot")

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(build_module, "stage", full)
    result = CliRunner().invoke(publish.cli, ["build", str(guide_copy), "--out", str(out),
                                              "--only", "handouts", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_only_the_ebook_after_an_edit_makes_the_layout_it_needs(guide_copy, tmp_path):
    """The office PDF in the folder is stale and not asked for; the print layout the two
    share must still be made for the ebook's page-list (it used to be dropped as stale,
    and the build stopped with "internal error: no print layout planned")."""
    out = tmp_path / "out"
    build([guide_copy], out)
    edit(guide_copy)
    build([guide_copy], out, only=("epub",))
    texts = folder_text(out / "ankle-sprain")
    assert [n for n, text in texts.items() if OLD in text] == []
    assert any(NEW in text for n, text in texts.items() if n.endswith(".epub") or "epub" in n)
