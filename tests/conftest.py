"""Shared fixtures: the shipped guide and the test guide, each built once per session."""

from __future__ import annotations

import logging
import shutil
import signal
from pathlib import Path

import pytest

from guidepress.build import build

# A runner that starts the tests with Ctrl-C ignored (`nohup`, `tests &` in a script) would
# pass that on to every program the tests start and then interrupt, which would then
# ignore it too: give the tests (and so their children) Ctrl-C back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "manuscript" / "muscle-spasms.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEST_GUIDE = FIXTURES / "ankle-sprain" / "ankle-sprain.md"
GUIDES = {"muscle-spasms": SHIPPED, "ankle-sprain": TEST_GUIDE}


class LogCollector(logging.Handler):
    """Collects WeasyPrint's warnings: a clean build logs none (WeasyPrint's own habit)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Both guides built into one output folder, with the log lines WeasyPrint emitted."""
    out = tmp_path_factory.mktemp("dist")
    collector = LogCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        result = build(list(GUIDES.values()), out)
    finally:
        logger.removeHandler(collector)
    result.log_records = collector.records
    return result


@pytest.fixture(params=list(GUIDES))
def slug(request) -> str:
    return request.param


@pytest.fixture
def guide_copy(tmp_path) -> Path:
    """A writable copy of the test guide (with its images), for tests that edit it."""
    target = tmp_path / "guide"
    shutil.copytree(TEST_GUIDE.parent, target)
    return target / TEST_GUIDE.name
