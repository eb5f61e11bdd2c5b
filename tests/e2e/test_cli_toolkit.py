"""The command line as a toolkit: help for every command and option, suggestions for a typo,
shell completion, the README's command list, quiet ends of a pipe, and a start-up that loads
only what a command needs."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from adapters.cli.main import ENTRIES, cli, main
from tests import oracles
from tests.builders import net_assets_csv
from tests.conftest import PROJECT_ROOT, SHIPPED_PLAN


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def leaf_commands() -> list[tuple[list[str], click.Command]]:
    """Every command that runs something, with its path of names under `planledger`."""
    found: list[tuple[list[str], click.Command]] = []

    def walk(path: list[str], command: click.Command) -> None:
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                child = command.get_command(context, name)
                assert child is not None, name
                walk([*path, name], child)
        else:
            found.append((path, command))

    walk([], cli)
    return found


def test_every_command_and_every_option_has_a_line_of_help():
    for path, command in leaf_commands():
        code, out, err = run(*path, "--help")
        assert code == 0, (path, err)
        assert out.startswith(f"Usage: planledger {' '.join(path)} "), path
        for parameter in command.params:
            if isinstance(parameter, click.Option) and not parameter.hidden:
                assert parameter.help, f"{' '.join(path)} {parameter.opts[0]} has no help"
                assert parameter.opts[0] in out, (path, parameter.opts[0])


def test_help_lists_the_commands_by_section_as_the_registry_says():
    code, out, _ = run("--help")
    assert code == 0
    for heading in ("Record the plan's facts:", "Read the books:", "Audit:", "Shell:"):
        assert heading in out
    context = click.Context(cli)
    for entry in ENTRIES:
        command = cli.get_command(context, entry.name)
        assert command is not None and command.name == entry.name
        # The root's help is drawn from the registry without loading a command: the two agree.
        assert command.get_short_help_str(limit=500) == entry.summary, entry.name


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["balnces"], "'balances'"),
        (["trial-balence"], "'trial-balance'"),
        (["pay", "distributer"], "'distributor'"),
        (["report", "quartely"], "'quarterly'"),
        (["balances", "--fomat", "json"], "--format"),
    ],
)
def test_a_typo_is_answered_with_the_nearest_names(argv, suggestion):
    code, out, err = run(*argv)
    assert code == 2
    assert out == ""
    assert "Did you mean" in err and suggestion in err
    assert "Traceback" not in err


def test_a_word_near_nothing_lists_no_guess():
    code, _, err = run("zzzz")
    assert code == 2
    assert "No such command 'zzzz'." in err and "Did you mean" not in err


def test_completion_scripts_and_completion_itself():
    for shell, marker in (
        ("bash", "complete -o"),
        ("zsh", "compdef"),
        ("fish", "--command planledger"),
    ):
        code, out, _ = run("completion", shell)
        assert code == 0
        assert "_PLANLEDGER_COMPLETE" in out and marker in out, shell
    completed = subprocess.run(
        [sys.executable, "-c", "from adapters.cli.main import main; raise SystemExit(main())"],
        env=dict(
            os.environ,
            PYTHONPATH=str(PROJECT_ROOT),
            _PLANLEDGER_COMPLETE="bash_complete",
            COMP_WORDS="planledger pay dis",
            COMP_CWORD="2",
        ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert "distributor" in completed.stdout, completed.stderr


def readme_command_lines() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = readme.split("## The commands", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines() if line.startswith("planledger ")]


def readme_paths() -> set[tuple[str, ...]]:
    """The command paths the README's list names: `pay distributor ...`, and `a|b` or
    `a | b` for several commands (of one group, when the first word is a group)."""
    groups = {
        entry.name
        for entry in ENTRIES
        if isinstance(cli.get_command(click.Context(cli), entry.name), click.Group)
    }
    paths: set[tuple[str, ...]] = set()
    for line in readme_command_lines():
        words = line.split("  ")[0].split()[1:]
        names = [word for word in words if re.fullmatch(r"[a-z][a-z-]*(\|[a-z-]+)*|\|", word)]
        tokens = " ".join(names).replace(" | ", "|").split()
        if tokens[0] in groups and len(tokens) > 1:
            paths |= {(tokens[0], action) for action in tokens[1].split("|")}
        else:
            paths |= {(name,) for name in tokens[0].split("|")}
    return paths


def test_the_readme_lists_every_command_and_only_commands_that_exist():
    commands = {tuple(path) for path, _ in leaf_commands()}
    listed = readme_paths()
    for path in commands:
        assert path in listed or path[:1] in listed, f"README does not list {' '.join(path)}"
    for path in listed:
        assert path in commands or any(command[: len(path)] == path for command in commands), (
            f"README lists {' '.join(path)}, which is no command"
        )


def loaded_after(argv: list[str], env: dict[str, str] | None = None) -> set[str]:
    """The top-level packages (and our rooms) a command loads, run in a fresh interpreter."""
    program = (
        "import sys, json\n"
        "from adapters.cli.main import main\n"
        f"code = main({argv!r})\n"
        "names = sorted({m.split('.')[0] for m in sys.modules}"
        " | {'.'.join(m.split('.')[:2]) for m in sys.modules if m.startswith('adapters.')})\n"
        "print(json.dumps(names), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program],
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT), **(env or {})),
        capture_output=True,
        text=True,
        check=False,
        cwd=PROJECT_ROOT,
    )
    return set(json.loads(completed.stderr.strip().splitlines()[-1]))


HEAVY = {
    "fpdf",
    "fontTools",
    "PIL",
    "psycopg",
    "pydantic",
    "rich",
    "beancount",
    "fastapi",
    "starlette",
    "uvicorn",
    "jinja2",
    "adapters.web",
}
LEDGER = {"sqlalchemy", "eventsourcing", "domain", "projections", "adapters.application"}


def test_help_and_a_typo_load_neither_the_ledger_nor_any_heavy_module():
    for argv in (["--help"], ["balnces"], ["balances", "--help"], ["pay", "--help"]):
        loaded = loaded_after(argv)
        assert not loaded & (HEAVY | LEDGER), (argv, loaded & (HEAVY | LEDGER))


def test_a_read_command_on_sqlite_loads_no_pdf_postgresql_or_file_models(tmp_path):
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run("plan", "load", str(SHIPPED_PLAN), "--db", db)[0] == 0
    for argv in (
        ["balances"],
        ["plan", "show"],
        ["log"],
        ["asof", "--fund", "INTL-BCV"],
        ["trial-balance"],
        ["journal"],
    ):
        loaded = loaded_after([*argv, "--db", db])
        assert "sqlalchemy" in loaded, argv  # the read models are there
        assert not loaded & HEAVY, (argv, loaded & HEAVY)


def test_the_database_may_be_named_before_the_command(tmp_path):
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run("--db", db, "plan", "load", str(SHIPPED_PLAN))[0] == 0
    code, out, err = run("--db", db, "--actor", "someone", "plan", "show", "--format", "json")
    assert code == 0, err
    assert {row["fund_class"] for row in json.loads(out)} == {"INTL-BCV/R", "STABLE-VALUE/R"}


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """`planledger journal | head -1`: no traceback, no message; 141 as for SIGPIPE."""
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run("plan", "load", str(SHIPPED_PLAN), "--db", db)[0] == 0
    nav = net_assets_csv(tmp_path / "n.csv", oracles.JULY_2003_NET_ASSETS)
    assert run("import", "net-assets", str(nav), "--db", db)[0] == 0
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from adapters.cli.main import main; raise SystemExit(main())",
            "log",
            "--db",
            db,
        ],
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=PROJECT_ROOT,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command writes a line: its first write finds no reader
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert stderr == ""


def test_the_console_script_exits_with_the_code_of_main(tmp_path):
    script = Path(sys.executable).parent / "planledger"
    completed = subprocess.run(
        [str(script), "balances", "--db", f"sqlite:///{tmp_path / 'none.db'}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "no ledger" in completed.stderr


def test_log_limit_gives_the_last_events_that_match(tmp_path):
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run("plan", "load", str(SHIPPED_PLAN), "--db", db)[0] == 0
    nav = net_assets_csv(tmp_path / "n.csv", oracles.JULY_2003_NET_ASSETS)
    assert run("import", "net-assets", str(nav), "--db", db)[0] == 0
    whole = json.loads(run("log", "--format", "json", "--db", db)[1])
    for limit in (1, 3, len(whole), len(whole) + 5):
        code, out, err = run("log", "--limit", str(limit), "--format", "json", "--db", db)
        assert code == 0, err
        assert json.loads(out) == whole[-limit:]
    only = json.loads(run("log", "--fund", "INTL-BCV", "--format", "json", "--db", db)[1])
    code, out, _ = run("log", "--fund", "INTL-BCV", "--limit", "2", "--format", "json", "--db", db)
    assert json.loads(out) == only[-2:]
