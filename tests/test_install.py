"""The install path of a fresh machine: one list of Debian packages (guidepress/sysdeps.py)
that .ci/run and the Makefile use without listing any of their own, Node from the venv,
the Python lock file, and the first-run font message."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tomllib
from importlib import metadata

import pytest
from packaging.version import Version

from guidepress import sysdeps
from guidepress.read import fonts

from . import browsers
from .conftest import ROOT

CI_RUN = ROOT / ".ci" / "run"
MAKEFILE = ROOT / "Makefile"
CONSTRAINTS = ROOT / "constraints.txt"


def code_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip()
            .startswith("#")]


def all_package_names() -> set[str]:
    return {package.name for package in sysdeps.needed(with_tests=True)}


def test_sysdeps_lists_every_debian_package():
    bootstrap = {package.name for package in sysdeps.BOOTSTRAP}
    tools = {package.name for package in sysdeps.TEST_TOOLS}
    assert bootstrap == {"make", "python3-venv"}
    assert tools == {"poppler-utils", "default-jre-headless", "zbar-tools", "chromium",
                     "libatomic1"}
    assert {"libpango-1.0-0", "libharfbuzz-subset0"} <= all_package_names()
    # Node comes from the venv (Debian 12's is too old for DAISY Ace).
    assert not {"npm", "nodejs"} & all_package_names()
    # `make ebook` needs make and python3-venv too, and not the test tools.
    assert bootstrap <= {p.name for p in sysdeps.needed()}
    assert not tools & {p.name for p in sysdeps.needed()}


def test_ci_run_installs_through_sysdeps_only():
    subprocess.run(["bash", "-n", str(CI_RUN)], check=True)
    lines = code_lines(CI_RUN.read_text(encoding="utf-8"))
    code = "\n".join(lines)
    assert not re.search(r"\b(apt-get|apt|dpkg|sudo)\b", code), code
    named = {word for word in re.findall(r"[\w.+-]+", code)} & (all_package_names() - {"make"})
    assert named == set(), f".ci/run names Debian packages of its own: {named}"
    # make is not on a fresh Debian: sysdeps has to install it before make runs.
    steps = [line.strip() for line in lines]
    assert steps.index("python3 -m guidepress.sysdeps --tests") < steps.index("make test")


def test_makefile_installs_through_sysdeps_only():
    text = MAKEFILE.read_text(encoding="utf-8")
    recipes = "\n".join(line for line in text.splitlines() if line.startswith("\t"))
    assert not re.search(r"\b(apt-get|dpkg)\b", recipes)
    assert not (all_package_names() - {"make"}) & set(re.findall(r"[\w.+-]+", recipes))
    # npm and node run from the venv's Node wheel, never the PATH's (Debian's is too old).
    assert not re.search(r"(?<![\w/$-])(npm|node|nodejs|npx) ", recipes)
    # sysdeps (python3-venv) runs before the venv is made, and every pip install is pinned.
    installed = text[text.index("$(VENV)/.installed:"):text.index("$(VENV)/.installed-test:")]
    assert installed.index("-m guidepress.sysdeps") < installed.index("-m venv")
    assert "$(PYTHON) -m guidepress.sysdeps --tests" in text
    assert re.search(r"^PIP_INSTALL := .*pip install --quiet -c constraints\.txt$", text, re.M)
    assert "\t$(PIP_INSTALL) -e .\n" in text and "\t$(PIP_INSTALL) -e '.[test]'\n" in text
    # Only pip itself, and `make lock`'s fresh venv, install without the constraints.
    unpinned = [line for line in re.findall(r".*-m pip install.*", recipes)
                if "--upgrade pip" not in line and "$(LOCK_EXTRA)" not in line]
    assert unpinned == []


@pytest.fixture
def fake_system(monkeypatch):
    """A Debian machine with make and the libraries, without ensurepip (python3-venv) until
    apt-get has run; records the commands sysdeps runs instead of running them."""
    state = {"installed": False, "calls": [], "euid": 0, "sudo": False}
    real_find_spec = importlib.util.find_spec

    def find_spec(name, *args):
        if name == "ensurepip":
            return real_find_spec(name) if state["installed"] else None
        return real_find_spec(name, *args)

    def which(name, *args):
        if name == "sudo":
            return "/usr/bin/sudo" if state["sudo"] else None
        return f"/usr/bin/{name}" if name in ("make", "apt-get") else None

    def run(args, **kwargs):
        state["calls"].append(list(args))
        if "install" in args:
            state["installed"] = True
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(sysdeps, "LIBRARIES", [])
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.setattr(sysdeps.shutil, "which", which)
    monkeypatch.setattr(sysdeps.subprocess, "run", run)
    monkeypatch.setattr(sysdeps.os, "geteuid", lambda: state["euid"])
    return state


def test_missing_ensurepip_means_python3_venv(fake_system):
    assert [package.name for package in sysdeps.missing()] == ["python3-venv"]


def test_root_installs_after_apt_get_update(fake_system, capsys):
    assert sysdeps.main([]) == 0
    update, install = fake_system["calls"]
    assert update[:3] == ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]
    assert update[3] == "update"
    assert install[3:5] == ["install", "-y"] and install[-1] == "python3-venv"
    assert capsys.readouterr().out == ""


def test_tests_use_sudo_when_not_root(fake_system, monkeypatch):
    fake_system.update(euid=1000, sudo=True)
    monkeypatch.setattr(sys, "stdin", None)  # CI: no terminal to type a password in
    assert sysdeps.main(["--tests"]) == 1  # the fake apt-get installs no test tools
    assert fake_system["calls"][0][:3] == ["sudo", "-n", "env"]


def test_not_root_prints_the_apt_get_line(fake_system, capsys):
    fake_system.update(euid=1000, sudo=True)  # sudo is only for --tests (CI)
    assert sysdeps.main([]) == 1
    assert fake_system["calls"] == []
    err = capsys.readouterr().err
    assert ("sudo apt-get update && sudo apt-get install -y --no-install-recommends "
            "python3-venv\n") in err


def test_bench_installs_pandoc_through_sysdeps(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench", ROOT / "tests/benchmarks/bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    asked = []
    monkeypatch.setattr(bench, "apt_install", lambda packages: asked.append(packages) or True)
    monkeypatch.setattr(bench.shutil, "which",
                        lambda name: "/usr/bin/pandoc" if asked else None)
    assert bench.ensure_pandoc() == "/usr/bin/pandoc"
    assert asked == [["pandoc"]]


def test_node_comes_from_the_venv_and_is_new_enough():
    node = browsers.node()
    assert node.is_relative_to(sys.prefix), node
    assert browsers.node_version(node) >= browsers.NODE_MIN


def pins() -> dict[str, str]:
    found = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", line)
        assert match, f"constraints.txt: {line!r} is not name==version"
        found[normalized(match.group(1))] = match.group(2)
    return found


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {normalized(re.match(r"[A-Za-z0-9._-]+", spec).group()) for spec in wanted}
    missing = names - pins().keys()
    assert not missing, f"not in constraints.txt: {sorted(missing)}; run `make lock`"
    assert "torch" not in pins()


def test_installed_versions_are_the_pinned_ones():
    wrong = []
    for name, version in pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # another platform's or an optional package
        if Version(installed) != Version(version):  # 1.006 is 1.6
            wrong.append(f"{name} {installed} (constraints.txt: {version})")
    assert not wrong, "reinstall with `make test` (pip install -c constraints.txt): " + \
        ", ".join(wrong)


def test_first_font_build_says_so_on_stderr_only(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    made = []

    def make_instance(source, weight, target):  # the real one takes 20-50 s
        made.append(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"font")

    monkeypatch.setattr(fonts, "make_instance", make_instance)
    fonts.prepare(["literata"])
    out, err = capsys.readouterr()
    assert out == "Literata: 4 font files ready\n"
    assert err.startswith("making the Literata font for this computer, once")
    assert "Literata font made in" in err and len(made) == 4
    assert all(path.is_relative_to(tmp_path) for path in made)
    fonts.prepare(["literata"])  # made once: the next build says nothing
    assert capsys.readouterr() == ("Literata: 4 font files ready\n", "")
