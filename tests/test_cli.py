"""The `publish` command: a thin layer that turns library results into messages and codes."""

from __future__ import annotations

import os
import re
import shutil
import socket

import click
from click.testing import CliRunner

import publish
from guidepress import __version__

from .conftest import TEST_GUIDE


def run(*args, **kwargs):
    return CliRunner().invoke(publish.cli, list(args), catch_exceptions=False, **kwargs)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"publish, version {__version__}"


def test_every_command_and_option_has_help():
    for name, command in publish.cli.commands.items():
        assert command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"
    assert "Usage" in run("build", "--help").output


def test_build_reports_each_file(tmp_path):
    out = tmp_path / "out"
    result = run("build", str(TEST_GUIDE), "--out", str(out), "--only", "epub,handouts")
    assert result.exit_code == 0, result.output
    *lines, summary = result.stdout.splitlines()
    assert sorted(line.split(" (")[0] for line in lines) == [
        "- ankle-sprain/ankle-sprain.epub", "- ankle-sprain/handouts/first-days.pdf",
        "- ankle-sprain/handouts/getting-back.pdf"]
    assert all(re.search(r"\) \d+\.\d s$", line) for line in lines)  # how long each took
    assert re.fullmatch(rf"3 files in \d+\.\d s; manifest: {out}/manifest.json", summary)
    assert not (out / "ankle-sprain" / "ankle-sprain.pdf").exists()
    again = run("build", str(TEST_GUIDE), "--out", str(out), "--only", "epub,handouts")
    assert re.fullmatch(rf"nothing changed; {out} is up to date \(\d\.\d\d s\)\n",
                        again.stdout)
    forced = run("build", str(TEST_GUIDE), "--out", str(out), "--only", "epub,handouts",
                 "--no-cache", "--quiet")
    assert forced.exit_code == 0 and forced.stdout == ""


def test_bad_input_is_one_line_and_exit_1(tmp_path):
    guide = tmp_path / "bad.md"
    guide.write_text("---\ntitle: Bad\n---\n# Start\n\n![A chart](missing.png)\n",
                     encoding="utf-8")
    result = CliRunner().invoke(publish.cli, ["build", str(guide), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    first, *rest = result.output.splitlines()
    assert first == f"{guide}:6: error: image 'missing.png' was not found"
    assert len(rest) == 1 and rest[0].startswith("  check the file name")
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_output_is_a_usage_error():
    result = CliRunner().invoke(publish.cli, ["build", str(TEST_GUIDE), "--only", "mobi"])
    assert result.exit_code == 2
    assert "'mobi' (choose from epub, pdf, handouts, large-print, press, or handouts:ID" in \
        result.output


def test_internal_bug_exits_70(tmp_path, monkeypatch):
    def broken(guide, context):
        raise RuntimeError("boom")

    monkeypatch.setitem(__import__("guidepress.build.tasks").build.tasks.RUNNERS, "epub", broken)
    result = CliRunner().invoke(publish.cli, ["build", str(TEST_GUIDE), "--out", str(tmp_path),
                                              "--jobs", "1"])
    assert result.exit_code == 70  # not 1 (your input) nor 2 (the command line)
    assert result.stderr.startswith("internal error: RuntimeError: boom")
    assert "Traceback" not in result.output


def test_default_is_every_guide_in_manuscript(tmp_path, monkeypatch):
    shutil.copytree(TEST_GUIDE.parent, tmp_path / "manuscript")
    monkeypatch.chdir(tmp_path)
    result = run("build", "--only", "epub")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "ankle-sprain" / "ankle-sprain.epub").exists()


def test_press_flag_adds_the_print_shop_edition(tmp_path):
    result = run("build", str(TEST_GUIDE), "--out", str(tmp_path), "--only", "pdf", "--press")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ankle-sprain" / "ankle-sprain.pdf").exists()
    assert (tmp_path / "ankle-sprain" / "ankle-sprain-press.pdf").exists()
    assert not (tmp_path / "ankle-sprain" / "ankle-sprain.epub").exists()


def test_no_op_check_sees_an_image_change_and_skips_special_files(guide_copy):
    """The no-op check reads the manuscripts and the images beside them, never a socket
    or a pipe that happens to sit in the same folder (reading a pipe would hang)."""
    folder = guide_copy.parent
    os.mkfifo(folder / "a-pipe.png")
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(folder / "a-socket.svg"))
    try:
        out = folder / "out"
        args = ("build", str(guide_copy), "--out", str(out), "--only", "epub", "--quiet")
        assert run(*args).exit_code == 0
        assert run(*args[:-1]).stdout.startswith("nothing changed")
        image = folder / "images" / "ankle.svg"
        image.write_text(image.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        again = run(*args[:-1])
        assert again.exit_code == 0 and "nothing changed" not in again.stdout
    finally:
        listener.close()


def test_the_no_op_check_knows_every_image_type():
    from guidepress.build.noop import IMAGE_SUFFIXES
    from guidepress.read.assets import MEDIA_TYPES

    assert set(MEDIA_TYPES) == IMAGE_SUFFIXES
