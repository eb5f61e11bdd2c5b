"""`planledger notice` and `planledger assignment` run twice (issue 11): the same command again
exits 0 saying nothing changed; the same reference with other details exits 1 naming the rule,
and `compliance` then shows one end of the agreement."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_cli import db, run

__all__ = ["db"]


def notice(db: Path, terminates_on: str) -> tuple[int, str, str]:
    return run(
        "notice",
        "--fund-class",
        "INTL-BCV/R",
        "--method",
        "delivered",
        "--sent-on",
        "2004-03-01",
        "--terminates-on",
        terminates_on,
        "--document",
        "LETTER-2004-03",
        db=db,
    )


def test_a_notice_given_twice_changes_nothing_and_another_date_is_refused(db):
    code, out, err = notice(db, "2004-04-30")
    assert code == 0, err
    assert "the agreement ends on 2004-04-30 for INTL-BCV/R" in out
    code, out, err = notice(db, "2004-04-30")
    assert (code, err) == (0, "")
    assert out == "notice LETTER-2004-03: already recorded; nothing changed\n"
    code, out, err = notice(db, "2004-06-30")
    assert code == 1 and out == ""
    assert "reference-reused" in err and "idempotency" in err
    code, out, err = run("compliance", "--as-of", "2004-05-31", db=db)
    assert "2004-06-30" not in out
    assert "2004-04-30" in out


def assignment(db: Path, on: str) -> tuple[int, str, str]:
    return run(
        "assignment",
        "--on",
        on,
        "--description",
        "change of control",
        "--no-exempt",
        "--reference",
        "COUNSEL-2004-05",
        db=db,
    )


def test_an_assignment_recorded_twice_changes_nothing_and_another_date_is_refused(db):
    code, out, err = assignment(db, "2004-05-15")
    assert code == 0, err
    assert "recorded for INTL-BCV/R, STABLE-VALUE/R" in out
    code, out, err = assignment(db, "2004-05-15")
    assert (code, err) == (0, "")
    assert out == "assignment COUNSEL-2004-05: already recorded; nothing changed\n"
    code, out, err = assignment(db, "2004-05-16")
    assert code == 1 and out == ""
    assert "reference-reused" in err
