"""The progress bar draws on a terminal and stays silent anywhere else."""

from __future__ import annotations

import io

from adapters.cli.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_that_ends_with_a_newline():
    terminal = Terminal()
    draw = progress_bar("importing", terminal)
    draw(5, 10)
    draw(10, 10)
    assert "importing [" in terminal.getvalue()
    assert terminal.getvalue().endswith("10/10\n")


def test_a_pipe_gets_nothing():
    pipe = io.StringIO()
    draw = progress_bar("importing", pipe)
    draw(5, 10)
    draw(10, 10)
    assert pipe.getvalue() == ""
