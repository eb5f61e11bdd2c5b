"""Files written whole or not at all: a reader of the named path never sees half of one.

The content goes to a temporary file in the same folder (so that the rename stays on one file
system), is flushed to disk, and is renamed over the target only once complete; the folder is
flushed too, so that the rename itself survives a power cut. A process killed before the rename
leaves the target as it was (absent, or the previous file) and at most a hidden temporary file
named after it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def written_atomically(target: Path) -> Iterator[Path]:
    """A temporary path to write; renamed to `target` when the block ends without an error,
    removed when it raises."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    # mkstemp makes the file private; the target gets the mode a plain open() would give it.
    temporary.chmod(0o666 & ~_umask())
    try:
        yield temporary
        _flush_file(temporary)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _flush_folder(target.parent)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _flush_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _flush_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a folder that cannot be opened for reading (another platform): nothing to do
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
