"""What the command line lets through at its edges: text that could forge a line on a terminal,
a database password, a plan file naming a file outside its folder, and a mistyped database.

Each runs `main(argv)` in-process, as a shell user would.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

import pytest

from adapters.cli.main import main
from tests.conftest import SHIPPED_PLAN
from tests.e2e.test_cli import run

# What a terminal would act on: C0 (newline included), DEL, C1, and the bidi controls.
TERMINAL_CONTROLS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
FORGED_REASON = (
    "routine\n    99  2099-01-01T00:00:00Z  forged line\x1b[2K\x1b[1A\r\u202eevil\x9b31m"
)
FORGED_ACTOR = "clerk\x1b]0;owned\x07\u2066\x7f"


def raw(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def no_control_but_line_ends(text: str) -> None:
    found = TERMINAL_CONTROLS.findall(text)
    assert not found, f"raw control characters in output: {found!r}"


@pytest.fixture
def sealed_db(tmp_path: Path) -> Path:
    """The shipped plan loaded, then a seal recorded with a hostile reason by a hostile actor."""
    path = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=path)[0] == 0
    code, out, err = raw(
        "seal", "--reason", FORGED_REASON, "--db", f"sqlite:///{path}", "--actor", FORGED_ACTOR
    )
    assert code == 0, err
    no_control_but_line_ends(out + err)
    return path


# ---- item 6: output cannot be forged -----------------------------------------------------------


def test_a_reason_or_actor_cannot_forge_a_line_in_the_log_table(sealed_db: Path) -> None:
    code, out, err = run("log", db=sealed_db)
    assert code == 0, err
    no_control_but_line_ends(out + err)
    lines = out.splitlines()
    events = json.loads(run("log", "--format", "json", db=sealed_db)[1])
    assert len(lines) == 2 + len(events)  # title, rule, one line per event
    assert not any("forged line" in line for line in lines[:-1])
    assert "routine\\n" in lines[-1] and "\\x1b[2K" in lines[-1] and "\\u202e" in lines[-1]
    assert "clerk\\x1b]0;owned\\x07" in lines[-1]


def test_json_keeps_the_exact_text_and_csv_stays_csv_without_raw_controls(
    sealed_db: Path,
) -> None:
    code, out, _ = run("log", "--format", "json", db=sealed_db)
    assert code == 0
    last = json.loads(out)[-1]
    assert last["why"].endswith(FORGED_REASON) or FORGED_REASON in last["why"]
    assert last["actor"] == FORGED_ACTOR
    code, out, _ = run("log", "--format", "csv", db=sealed_db)
    assert code == 0
    no_control_but_line_ends(out)
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) == 1 + len(json.loads(run("log", "--format", "json", db=sealed_db)[1]))
    assert "routine\\n" in rows[-1][-1]


def test_a_file_name_with_an_escape_cannot_forge_an_error_line(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    assert run("plan", "load", str(SHIPPED_PLAN), db=path)[0] == 0
    hostile = tmp_path / "nav\x1b[2K\rOK: nothing wrong\n.csv"
    hostile.write_text("fund,class,date,net_assets\nINTL-BCV,R,2003-02-30,1.00\n")
    code, out, err = run("import", "net-assets", str(hostile), db=path)
    assert code == 2
    no_control_but_line_ends(out + err)
    assert not any(line.startswith("OK") for line in err.splitlines())


SECRET = "S3cretPW"


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://u:{SECRET}@h/db",
        f"postgresql://u:{SECRET}@127.0.0.1:5432/",
        f"sqlite://u:{SECRET}@h/",
        f"postgresql://u:{SECRET}@127.0.0.1:1/db?schema=x",
    ],
)
def test_a_database_password_never_appears_in_any_output(url: str) -> None:
    for argv in (["verify"], ["plan", "show"], ["init"]):
        code, out, err = raw(*argv, "--db", url)
        assert code != 0
        assert SECRET not in out + err, (argv, out, err)
        assert "Traceback" not in err


def test_help_never_shows_the_password_of_the_database_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLANLEDGER_DB", f"postgresql://u:{SECRET}@127.0.0.1:1/db")
    for argv in (["--help"], ["verify", "--help"], ["plan", "load", "--help"]):
        code, out, err = raw(*argv)
        assert code == 0
        assert SECRET not in out + err


# ---- item 7: a plan file reads only its own folder ---------------------------------------------


def plan_naming(tmp_path: Path, document_file: str, document: bytes) -> Path:
    """The shipped plan file, moved to its own folder, naming `document_file` (with its hash)."""
    folder = tmp_path / "plans" / "hostile"
    folder.mkdir(parents=True)
    text = SHIPPED_PLAN.read_text(encoding="utf-8")
    text = re.sub(r'document_file = ".*"', f"document_file = {json.dumps(document_file)}", text)
    digest = hashlib.sha256(document).hexdigest()
    text = re.sub(r'document_sha256 = ".*"', f'document_sha256 = "{digest}"', text)
    plan = folder / "plan.toml"
    plan.write_text(text, encoding="utf-8")
    return plan


@pytest.mark.parametrize(
    "document_file",
    ["../secret.txt", "../../secret.txt", "sub/plan.txt", "SECRET_ABSOLUTE", "..", "link.txt"],
)
def test_a_plan_file_cannot_name_a_document_outside_its_folder(
    tmp_path: Path, document_file: str
) -> None:
    secret = tmp_path / "plans" / "secret.txt"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"root:x:0:0:secret\n")
    (tmp_path / "secret.txt").write_bytes(b"root:x:0:0:secret\n")
    if document_file == "SECRET_ABSOLUTE":
        document_file = str(secret)
    plan = plan_naming(tmp_path, document_file, secret.read_bytes())
    (plan.parent / "sub").mkdir()
    (plan.parent / "sub" / "plan.txt").write_bytes(secret.read_bytes())
    os.symlink(secret, plan.parent / "link.txt")
    db = tmp_path / "ledger.db"
    code, out, err = run("plan", "load", str(plan), db=db)
    assert code == 2, (out, err)
    assert "plan.toml" in err and "plan.document_file" in err
    assert "nothing was written" in err
    assert not db.exists()


def test_a_document_beside_the_plan_file_still_loads_through_a_link_inside_the_folder(
    tmp_path: Path,
) -> None:
    text = (SHIPPED_PLAN.parent / "plan.txt").read_bytes()
    plan = plan_naming(tmp_path, "plan-link.txt", text)
    (plan.parent / "plan-real.txt").write_bytes(text)
    os.symlink(plan.parent / "plan-real.txt", plan.parent / "plan-link.txt")
    code, out, err = run("plan", "load", str(plan), db=tmp_path / "ledger.db")
    assert code == 0, err
    assert "loaded" in out


# ---- item 9: a mistyped database is not created ------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["verify"],
        ["plan", "show"],
        ["log"],
        ["balances", "--as-of", "2003-07-31"],
        ["seal", "--reason", "x"],
        ["rebuild"],
        ["accrue", "--through", "2003-07-31"],
    ],
)
def test_a_missing_sqlite_database_is_exit_2_and_is_not_created(
    tmp_path: Path, argv: list[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'typo' / 'ledgr.db'}"
    code, out, err = raw(*argv, "--db", url)
    assert code == 2, (out, err)
    assert "does not exist" in err and "planledger init" in err
    assert "Traceback" not in err
    assert not (tmp_path / "typo").exists()


def test_a_file_that_is_not_a_ledger_is_exit_2_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    code, _, err = raw("verify", "--db", f"sqlite:///{path}")
    assert code == 2
    assert "no ledger" in err
    assert path.read_bytes() == b""


def test_init_starts_a_ledger_once_then_every_command_opens_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'ledger.db'}"
    code, out, err = raw("init", "--db", url)
    assert code == 0, err
    assert "started" in out
    code, out, _ = raw("init", "--db", url)
    assert code == 0 and "already" in out
    code, out, err = raw("verify", "--db", url)
    assert code == 0 and "OK:" in out, err
    code, out, err = raw("plan", "load", str(SHIPPED_PLAN), "--db", url)
    assert code == 0, err


def test_plan_load_starts_a_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh' / 'ledger.db'}"
    code, _, err = raw("plan", "load", str(SHIPPED_PLAN), "--db", url)
    assert code == 0, err
    code, out, _ = raw("plan", "show", "--db", url)
    assert code == 0 and "INTL-BCV/R" in out
