"""The program installed from a wheel (not the checkout) builds a project of the user's,
from a folder that has nothing to do with this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, TEST_GUIDE


def clean_env() -> dict[str, str]:
    """The environment without what would let the checkout leak into the fresh venv."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    # No build isolation: setuptools comes from the test tools, so this needs no network.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(folder), str(ROOT)],
                   check=True, capture_output=True, cwd=folder, timeout=300)
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' by-product
    return next(folder.glob("guidepress-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment holding the wheel; the libraries it needs come from the
    test environment through a .pth line (which, unlike a site folder, runs none of that
    folder's own .pth files, so the checkout's editable install stays out of sight)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120, env=clean_env())
    python = venv / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                "['purelib'])"], capture_output=True, text=True,
                               check=True).stdout.strip())
    (site / "test-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n",
                                             encoding="utf-8")
    # --ignore-installed: through the .pth line pip also sees the checkout's editable
    # install of the same version, and must not take it for this one.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--quiet", "--no-deps", "--ignore-installed", str(wheel)], check=True,
                   timeout=300, env=clean_env())
    return venv


def test_the_wheel_holds_the_shipped_styles(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "styles").rglob("*")
                     if p.is_file())
    assert shipped and all(f"guidepress/{name}" in names for name in shipped)
    assert "publish.py" in names


def test_every_package_folder_is_listed_for_the_wheel():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    folders = {p.parent.relative_to(ROOT).as_posix().replace("/", ".")
               for p in (ROOT / "guidepress").rglob("__init__.py")}
    assert folders <= listed


def test_an_installed_publish_builds_a_project_from_its_own_folder(installed, tmp_path):
    project = tmp_path / "clinic"
    shutil.copytree(TEST_GUIDE.parent, project / "manuscript")  # no styles/: the shipped ones
    env = clean_env()
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = subprocess.run([installed / "bin" / "python", "-c",
                            "import guidepress, publish; print(guidepress.__file__); "
                            "print(publish.__file__)"],
                           capture_output=True, text=True, check=True, env=env,
                           cwd=tmp_path).stdout
    assert str(ROOT) not in where and str(installed) in where
    done = subprocess.run([installed / "bin" / "publish", "build", "--only", "epub,handouts"],
                          cwd=project / "manuscript", capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    dist = project / "dist"  # the project's, found by walking up from manuscript/
    assert (dist / "manifest.json").is_file()
    assert (dist / "ankle-sprain" / "ankle-sprain.epub").is_file()
    assert len(list((dist / "ankle-sprain" / "handouts").glob("*.pdf"))) == 2
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    check = subprocess.run([installed / "bin" / "publish", "check", "--project", str(project)],
                           cwd=elsewhere, capture_output=True, text=True, env=env, timeout=300)
    assert check.returncode in (0, 1) and "in 1 file" in check.stdout, check.stderr
