"""Front matter: one ruamel.yaml parse, and every bad value refused at its line with a hint."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

import publish
from guidepress.errors import PublishError
from guidepress.read.guide import read_guide

from .conftest import ROOT

BODY = "# A {#a}\n\nText.\n"


def write(tmp_path, front: str, name: str = "guide.md"):
    """A manuscript whose front matter is ``front``: its first key is on line 2."""
    path = tmp_path / name
    path.write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    return path


def error_of(path) -> PublishError:
    with pytest.raises(PublishError) as info:
        read_guide(path)
    return info.value


def fails_at(tmp_path, front: str, line: int, fragment: str) -> PublishError:
    error = error_of(write(tmp_path, front))
    assert error.diagnostic.line == line, error
    assert fragment in error.diagnostic.message, error
    assert error.diagnostic.rule == "front-matter"
    assert error.diagnostic.hint, "every front-matter error tells the editor what to do"
    return error


def run_python(script: str, *args: str, timeout: float = 60) -> dict:
    """Run ``script`` in a fresh interpreter; its last output line is JSON."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script), *args],
                            capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.splitlines()[-1])


# -- one parse, with ruamel.yaml --------------------------------------------------------


def test_one_ruamel_parse_gives_values_and_lines(tmp_path, monkeypatch):
    import ruamel.yaml
    import yaml

    from guidepress.read import glyphs

    glyphs.shipped_fonts()  # the brand file is YAML; read it (once, cached) before the guard

    def refuse(*args, **kwargs):
        raise AssertionError("front matter must not be read with PyYAML")

    for name in ("compose", "load", "safe_load"):
        monkeypatch.setattr(yaml, name, refuse)
    loads = []
    real_load = ruamel.yaml.YAML.load
    monkeypatch.setattr(ruamel.yaml.YAML, "load",
                        lambda self, text: loads.append(text) or real_load(self, text))
    path = write(tmp_path, textwrap.dedent("""\
        title: Test
        date: 2026-03-14
        # a comment line
        handouts:
          - id: one
            title: One
            sections:
              - a
        check: {review_months: 6}
        """))
    guide, warnings = read_guide(path)
    assert len(loads) == 1 and warnings == []
    assert guide.meta.date == dt.date(2026, 3, 14)  # dates stay text until the schema
    assert guide.meta.check == {"review_months": 6}
    lines = guide.meta.lines
    assert lines[("title",)] == 2 and lines[("date",)] == 3 and lines[("handouts",)] == 5
    assert lines[("handouts", 0)] == 6 and lines[("handouts", 0, "title")] == 7
    assert lines[("handouts", 0, "sections", 0)] == 9 and lines[("check", "review_months")] == 10
    assert guide.meta.handouts[0].section_lines == (9,)


# -- duplicate keys -----------------------------------------------------------------------


def test_a_key_written_twice_names_both_lines(tmp_path):
    error = fails_at(tmp_path, "title: First\nauthor: Clinic\n\n\ntitle: Second\n", 6,
                     "'title' appears twice, on lines 2 and 6; keep one")
    assert str(error).splitlines()[0].endswith("error: 'title' appears twice, on lines 2 and 6;"
                                               " keep one")
    nested = "title: T\nhandouts:\n  - id: one\n    title: One\n    id: two\n    sections: [a]\n"
    fails_at(tmp_path, nested, 6, "'id' appears twice, on lines 4 and 6")


# -- anchors, aliases, size ---------------------------------------------------------------

LAUGHS = "title: Laughs\nlol0: &lol0 [" + ", ".join(["lol"] * 9) + "]\n" + "".join(
    f"lol{n}: &lol{n} [" + ", ".join([f"*lol{n - 1}"] * 9) + "]\n" for n in range(1, 11))

TIMED_READ = """
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # fail, not swap, if it blows up
    from guidepress.errors import PublishError
    from guidepress.read.guide import read_guide
    started = time.perf_counter()
    try:
        read_guide(sys.argv[1])
        result = {"line": 0, "message": "read without error"}
    except PublishError as error:
        result = {"line": error.diagnostic.line, "message": error.diagnostic.message}
    print(json.dumps({**result, "elapsed": time.perf_counter() - started}))
    """


def test_billion_laughs_is_refused_at_once(tmp_path):
    path = write(tmp_path, LAUGHS)
    assert LAUGHS.count("*lol") == 90  # ten alias lines under keys the schema does not know
    result = run_python(TIMED_READ, str(path), timeout=30)
    assert result["line"] == 3, result
    assert result["message"] == "the front matter may not use YAML anchors (&) or aliases (*)"
    assert result["elapsed"] < 1.0, result


@pytest.mark.parametrize(("front", "line", "fragment"), [
    ("title: &t Test\nsubtitle: *t\n", 2, "may not use YAML anchors (&) or aliases (*)"),
    ("title: T\nkeywords: [a, *nowhere]\n", 3, "may not use YAML anchors (&) or aliases (*)"),
    ("title: T\nextra:\n  <<: {a: 1}\n", 4, "may not use YAML merge keys (<<)"),
    ("title: !!python/name:os.system T\n", 2, "may not use YAML tags (!)"),
    ("title: T\nextra: " + "[" * 20 + "]" * 20 + "\n", 3, "nested too deeply"),
])
def test_anchors_aliases_and_tags_are_refused(tmp_path, front, line, fragment):
    error = fails_at(tmp_path, front, line, fragment)
    if "anchors" in fragment:
        assert error.diagnostic.hint == "write the value out in full where it is needed"


@pytest.mark.parametrize(("front", "line", "fragment"), [
    ("title: T\n" + "".join(f"k{n}: v\n" for n in range(600)), 502,
     "the front matter is longer than 500 lines"),
    ("title: T\ndescription: " + "word " * 4000 + "\n", 3,
     "the front matter is larger than 16 KB"),
])
def test_front_matter_size_is_capped(tmp_path, front, line, fragment):
    fails_at(tmp_path, front, line, fragment)


# -- language tags ----------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "reason", "hint"), [
    ("en-UK", "'UK' is not a country or region code", "did you mean 'en-GB'?"),
    ("xx-QQ", "'xx' is not a language code", "use a tag like en-US, en-GB, es or es-MX"),
    ("es-QQ", "'QQ' is not a country or region code", "did you mean 'es'?"),
    ("es-999", "'999' is not a country or region code", "did you mean 'es'?"),
    ("eng", "'eng' is not a language code", "did you mean 'en'?"),
    ("jp", "'jp' is not a language code", "did you mean 'ja'?"),
    ("und", "'und' does not name a language", "use a tag like en-US, en-GB, es or es-MX"),
])
def test_language_tag_must_be_in_the_registry(tmp_path, tag, reason, hint):
    error = fails_at(tmp_path, f"title: T\nlanguage: {tag}\n", 3,
                     f"'language' is not a language tag: '{tag}'")
    assert reason in error.diagnostic.message
    assert error.diagnostic.hint == hint


LANGUAGES_OFFLINE = """
    import json, socket, sys
    def refuse(*args, **kwargs):
        raise OSError("network is off")
    socket.socket.connect = socket.socket.connect_ex = refuse
    socket.create_connection = socket.getaddrinfo = refuse
    sys.modules["language_data"] = None  # language names are optional: the check needs none
    from pathlib import Path
    from guidepress.errors import PublishError
    from guidepress.read.guide import read_guide
    folder, found = Path(sys.argv[1]), {}
    for tag in sys.argv[2:]:
        path = folder / f"{tag}.md"
        path.write_text(f"---\\ntitle: T\\nlanguage: {tag}\\n---\\n# A\\n", encoding="utf-8")
        try:
            found[tag] = read_guide(path)[0].meta.language
        except PublishError as error:
            found[tag] = error.diagnostic.hint
    print(json.dumps(found))
    """


def test_language_check_needs_no_network_and_no_name_data(tmp_path):
    good = ["es-419", "en-US", "es", "zh-Hant-TW", "en-GB", "fr-CA", "vi"]
    found = run_python(LANGUAGES_OFFLINE, str(tmp_path), *good, "en-UK")
    assert found == {**{tag: tag for tag in good}, "en-UK": "did you mean 'en-GB'?"}


# -- dates and limits ---------------------------------------------------------------------


def test_review_date_in_the_future_is_an_error(tmp_path):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    error = fails_at(tmp_path, f"title: T\nreviewed: {tomorrow.isoformat()}\n", 3,
                     f"'reviewed' {tomorrow.isoformat()} is in the future")
    assert error.diagnostic.hint == "write the date a clinician last checked the guide"
    guide, _ = read_guide(write(tmp_path, f"title: T\nreviewed: {dt.date.today()}\n"))
    assert guide.meta.reviewed == dt.date.today()


@pytest.mark.parametrize(("front", "fragment"), [
    ("date: 0001-01-01\n", "'date' 0001-01-01 is before 1980-01-01"),
    ("date: 1979-12-31\n", "'date' 1979-12-31 is before 1980-01-01"),
    ("date: 2100-01-01\n", "'date' 2100-01-01 is after 2099-12-31"),
    ("reviewed: 9999-11-02\n", "'reviewed' 9999-11-02 is after 2099-12-31"),
    ("reviewed: 1900-01-01\n", "'reviewed' 1900-01-01 is before 1980-01-01"),
])
def test_dates_outside_what_an_ebook_can_hold(tmp_path, front, fragment):
    fails_at(tmp_path, "title: T\n" + front, 3, fragment)


@pytest.mark.parametrize(("limit", "fragment"), [
    ("review_months: 120000", "'review_months' under 'check' must be between 1 and 120, "
                              "not 120000"),
    ("review_months: 0", "'review_months' under 'check' must be between 1 and 120, not 0"),
    ("long_sentence_words: -3", "'long_sentence_words' under 'check' must be between 5"),
    ("reading_grade_book: .nan", "'reading_grade_book' under 'check' must be between 1 and 100"),
    ("smog_grade_handout: .inf", "'smog_grade_handout' under 'check' must be between 1 and 100"),
])
def test_check_limits_have_sensible_ranges(tmp_path, limit, fragment):
    fails_at(tmp_path, f"title: T\nreviewed: 2026-01-01\ncheck:\n  {limit}\n", 5, fragment)


def test_check_limits_at_their_bounds_are_kept(tmp_path):
    front = "title: T\ncheck:\n  review_months: 120\n  reading_grade_book: 60\n"
    guide, _ = read_guide(write(tmp_path, front))
    assert guide.meta.check == {"review_months": 120, "reading_grade_book": 60}
    fails_at(tmp_path, front.replace("120", "121"), 4, "must be between 1 and 120, not 121")


@pytest.mark.parametrize(("written", "reason"), [
    ("2026-02-30", "February 2026 has no day 30"),
    ("2025-02-29", "February 2025 has no day 29"),
    ("2026-04-31", "April 2026 has no day 31"),
    ("2026-13-01", "there is no month 13"),
    ("2026-00-10", "there is no month 0"),
])
def test_a_date_that_does_not_exist_says_so(tmp_path, written, reason):
    error = fails_at(tmp_path, f"title: T\ndate: {written}\n", 3,
                     f"'date' is not a valid date: {reason}")
    assert error.diagnostic.hint == "check the day and the month"
    # a badly written date keeps the message about the format
    bad = fails_at(tmp_path, "title: T\ndate: 2026/02/03\n", 3, "'date' is not a valid date")
    assert bad.diagnostic.message == "'date' is not a valid date"
    assert bad.diagnostic.hint == "write dates as YYYY-MM-DD, e.g. 2026-11-25"


# -- invisible characters -----------------------------------------------------------------


@pytest.mark.parametrize(("front", "line", "fragment"), [
    ('title: "Ankle\\x01 sprains"\n', 2, "'title' contains an invisible control character "
                                         "(U+0001)"),
    ('title: T\nsubtitle: "\\u000b"\n', 3, "'subtitle' contains an invisible control character "
                                           "(U+000B)"),
    ('title: T\nauthor: "\\ud800"\n', 3, "'author' contains a broken character (U+D800"),
    ('title: T\nkeywords: [ok, "\\e[31m"]\n', 3, "'keywords' contains an invisible control "
                                                "character (U+001B)"),
    ('title: T\nhandouts:\n  - id: one\n    title: "One\\r"\n    sections: [a]\n', 5,
     "handout 1's 'title' contains an invisible control character (U+000D)"),
    ('title: T\n"col\\x7for": x\n', 3, "a front-matter key contains an invisible control "
                                       "character (U+007F)"),
    ("title: T\nsubtitle: raw\x02byte\n", 3, "the front matter contains an invisible control "
                                             "character (U+0002)"),
])
def test_invisible_characters_are_refused(tmp_path, front, line, fragment):
    error = fails_at(tmp_path, front, line, fragment)
    assert error.diagnostic.hint.startswith("retype the text")


def test_tabs_and_newlines_in_text_are_fine(tmp_path):
    front = 'title: T\nsubtitle: |\n  a\n  b\ndescription: "one\\ttwo\\nthree"\n'
    guide, _ = read_guide(write(tmp_path, front))
    assert guide.meta.description == "one\ttwo\nthree" and guide.meta.subtitle == "a\nb\n"
    fails_at(tmp_path, front.replace("\\t", "\\f"), 6, "invisible control character (U+000C)")


# -- url ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "reason"), [
    ("http://www.example.org/guide/", "it must start with https://"),
    ("https://www.example.org/" + "a" * 3000, "it is 3,024 characters long; the most is 500"),
    ("'https://www.example.org/a guide'", "it contains a space"),
    ("'https://www.example.org/\"onload'", 'it contains the character "'),
    ("https://www.example.org/<script>", "it contains the character <"),
    ("https:///guides/back/", "it has no site name after https://"),
    ("https://staff:secret@www.example.org/", "it contains a user name or password"),
    ("https://www.example.org:99999/", "the port after ':' is not a number from 1 to 65535"),
    ("https://localhost/guide", "'localhost' is not a site name like www.example.org"),
    ("https://[::1/", "it could not be read as an address"),
])
def test_url_must_be_a_public_https_address(tmp_path, url, reason):
    error = fails_at(tmp_path, f"title: T\nurl: {url}\n", 3, f"'url' is not a web address: "
                                                          f"{reason}")
    assert "https://" in error.diagnostic.hint


def test_good_urls_are_kept(tmp_path):
    for url in ("https://www.example.org/guides/back-pain/?lang=es#care",
                "https://bücher.example.de/ratgeber/", "https://www.example.org:8443/a"):
        guide, _ = read_guide(write(tmp_path, f"title: T\nurl: {url}\n"))
        assert guide.meta.url == url
    fails_at(tmp_path, "title: T\nurl: https://www.example.org/a\\b\n", 3,
             "it contains the character \\")


# -- the command line -----------------------------------------------------------------------


def test_build_stops_with_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "title: T\nauthor: Clinic\nreviewed: 9999-11-02\n", "file.md")
    out = tmp_path / "out"
    result = CliRunner().invoke(publish.cli, ["build", "file.md", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    first, *rest = result.stderr.splitlines()
    assert first == "file.md:4: error: 'reviewed' 9999-11-02 is after 2099-12-31"
    assert rest == ["  check the year"]
    assert not out.exists() or not any(out.iterdir())


# -- a handout's summary and reorder code -----------------------------------------------


def test_a_handout_gets_a_summary_and_a_reorder_code(tmp_path):
    front = ("title: T\nhandouts:\n  - id: one\n    title: One\n    sections: [a]\n"
             "    summary: \"  What to do   first.\"\n"
             "  - id: two\n    title: Two\n    sections: [a]\n    code: KOC-7\n")
    guide, _ = read_guide(write(tmp_path, front, "back-pain-basics.md"))
    one, two = guide.meta.handouts
    assert one.summary == "What to do first." and one.code == "BPB-01"
    assert two.summary == "" and two.code == "KOC-7"


@pytest.mark.parametrize(("field", "fragment"), [
    ("    summary: " + "word " * 30 + "\n", "has a summary of 149 characters"),
    ("    code: ms 01\n", "has the reorder code 'ms 01'"),
])
def test_a_bad_summary_or_code_is_refused_at_its_line(tmp_path, field, fragment):
    front = "title: T\nhandouts:\n  - id: one\n    title: One\n    sections: [a]\n" + field
    fails_at(tmp_path, front, 7, fragment)
