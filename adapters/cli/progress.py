"""A progress bar on a terminal, and silence anywhere else (pipes, files, CI logs)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def progress_bar(label: str, stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A callback `(done, total)` that draws a bar on `stream` only if it is a terminal."""
    target = stream or sys.stderr
    if not target.isatty():
        return lambda done, total: None
    last_drawn = [0.0]

    def draw(done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if not finished and now - last_drawn[0] < 0.1:
            return
        last_drawn[0] = now
        width = 30
        filled = width if total == 0 else int(width * done / total)
        target.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if finished:
            target.write("\n")
        target.flush()

    return draw
