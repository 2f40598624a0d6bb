"""The task cache: results of earlier builds, by the hash of everything they depend on.

Entries are plain data (MessagePack, decoded into the declared result types), never
pickles: a planted or damaged entry can at worst be ignored, never run code. Each file
starts with the SHA-256 of the rest, so a truncated or altered entry is not used. They
live in the user's private cache folder for the output folder (``project.build_cache``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..files import atomic_write

if TYPE_CHECKING:
    from .tasks import Task, TaskResult

SUFFIX = ".entry"


def encode_hook(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(type(value))


def decode_hook(kind: type, value: Any) -> Any:
    if kind is Path:
        return Path(value)
    raise NotImplementedError(kind)


def dumps(result: TaskResult) -> bytes:
    payload = msgspec.msgpack.Encoder(enc_hook=encode_hook).encode(result)
    return hashlib.sha256(payload).digest() + payload


def loads(data: bytes) -> TaskResult | None:
    """The result stored in ``data``; None when it is damaged or not a result."""
    from .tasks import TaskResult

    check, payload = data[:32], data[32:]
    if hashlib.sha256(payload).digest() != check:
        return None
    try:
        return msgspec.msgpack.Decoder(TaskResult, dec_hook=decode_hook).decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


class Cache:
    """Task results by key in ``folder`` (None: nothing is kept).

    With ``reuse`` off (``--no-cache``) every task asked for runs again; the cache is
    still read for files the folder already holds that the build was not asked to make
    (``Task.kept``), to tell whether they are still current."""

    def __init__(self, folder: Path | None, reuse: bool = True) -> None:
        self.folder = folder
        self.reuse = reuse
        self.loaded: dict[str, TaskResult | None] = {}

    def path(self, task: Task) -> Path:
        assert self.folder is not None
        # A translation's slug is "<slug>/<language>": one flat folder all the same.
        return self.folder / f"{task.slug.replace('/', '+')}--{task.key}{SUFFIX}"

    def load(self, task: Task) -> TaskResult | None:
        if self.folder is None or not (self.reuse or task.kept):
            return None
        name = self.path(task).name  # the slug too: two guides may share a key
        if name not in self.loaded:
            self.loaded[name] = self.read(task)
        return self.loaded[name]

    def read(self, task: Task) -> TaskResult | None:
        with contextlib.suppress(OSError):
            result = loads(self.path(task).read_bytes())
            if result is not None:
                return replace(result, cached=True, seconds=0.0)
        return None

    def save(self, task: Task, result: TaskResult) -> None:
        if self.folder is not None:
            atomic_write(self.path(task), dumps(replace(result, cached=False)))

    def prune(self, live: Iterable[Task]) -> None:
        """Delete every entry no build can use any more: all but the ``live`` tasks' (every
        output of every guide the output folder holds, as the guides are now)."""
        if self.folder is None or not self.folder.is_dir():
            return
        keep = {self.path(task).name for task in live}
        for entry in self.folder.glob(f"*{SUFFIX}"):
            if entry.name not in keep:
                entry.unlink(missing_ok=True)
