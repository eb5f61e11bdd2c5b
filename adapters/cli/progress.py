"""A progress bar on a terminal, and silence anywhere else (pipes, files, CI logs).

The bar is Rich's, imported only when standard error is a terminal (the import costs startup
time a piped run would pay for nothing). It counts the work (days accrued, rows imported,
events caught up) as the caller reports it, and is gone once the work is done: when the count
reaches its total, or when the `with` block ends, as some work reports only every page.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from adapters.cli.output import is_terminal

Progress = Callable[[int, int], None]


@contextmanager
def progress_bar(label: str, stream: TextIO | None = None) -> Iterator[Progress]:
    """A callback `(done, total)` that draws a bar on `stream` (standard error unless given)
    only if it is a terminal; transient: erased when `done` reaches `total` or the block ends."""
    target = stream or sys.stderr
    if not is_terminal(target):
        yield lambda done, total: None
        return
    bar: list[Any] = []  # the live bar and its task, started on the first report

    def draw(done: int, total: int) -> None:
        if not bar:
            if done >= total:
                return  # nothing left to show: a bar would only flash
            bar.extend(_started(label, target, done, total))
        progress, task = bar
        progress.update(task, completed=done, total=total)
        if done >= total:
            progress.stop()
            bar.clear()

    try:
        yield draw
    finally:
        if bar:
            bar[0].stop()


def _started(label: str, target: TextIO, done: int, total: int) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(file=target, stderr=True),
        transient=True,
        redirect_stdout=False,  # the answer goes to its own stream, untouched
        redirect_stderr=False,
    )
    task = progress.add_task(label, total=total, completed=done)
    progress.start()
    return progress, task
