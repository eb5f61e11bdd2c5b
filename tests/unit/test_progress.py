"""The progress bar draws on a terminal, is gone when the work is done, and stays silent
anywhere else."""

from __future__ import annotations

import io
import subprocess
import sys

from adapters.cli.progress import progress_bar

ERASE_LINE = "\x1b[2K"
SHOW_CURSOR = "\x1b[?25h"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_counting_the_work_that_is_erased_when_done():
    terminal = Terminal()
    with progress_bar("days accrued", terminal) as draw:
        draw(5, 10)
        assert "days accrued" in terminal.getvalue()
        assert " 5/10" in terminal.getvalue()
        draw(10, 10)
        assert terminal.getvalue().endswith(ERASE_LINE)  # transient: the bar's line is cleared


def test_work_reported_only_every_page_is_erased_when_the_block_ends():
    terminal = Terminal()
    with progress_bar("events checked", terminal) as draw:
        draw(5000, 12345)  # the last page is never reported
    assert terminal.getvalue().endswith(ERASE_LINE)
    assert SHOW_CURSOR in terminal.getvalue()


def test_work_done_before_the_first_report_draws_nothing():
    terminal = Terminal()
    with progress_bar("events", terminal) as draw:
        draw(3, 3)
    assert terminal.getvalue() == ""


def test_a_pipe_gets_nothing():
    pipe = io.StringIO()
    with progress_bar("importing", pipe) as draw:
        draw(5, 10)
        draw(10, 10)
    assert pipe.getvalue() == ""


def test_the_command_line_starts_without_rich():
    """Rich is imported only to draw on a terminal: a piped run does not pay for it."""
    probe = "import sys, adapters.cli.main; print('rich' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"
