"""The `Break` aggregate's workflow: each step once, a write-off approved only by another
person, nothing done to a break no longer open (docs/reconciliation.md §3)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import RuleViolation
from domain.events import Provenance
from domain.reconciliation.breaks import Break
from domain.reconciliation.records import BreakKind, Finding

ON = date(2003, 10, 6)
PROPOSER, APPROVER = Provenance("treasurer", "command"), Provenance("controller", "command")
FINDING = Finding(
    "accruals", "accruals/day/INTL-BCV/R/2003-07-03", BreakKind.AMOUNT_DIFFERS, "INTL-BCV/R",
    date(2003, 7, 3), Decimal("136.99"), Decimal("137.001"), ("s:1",), ("ab#row=4",), "differs",
)  # fmt: skip


def opened() -> Break:
    found = Break.opened(FINDING, PROPOSER)
    found.collect_events()
    return found


def test_a_write_off_is_approved_by_another_person_only() -> None:
    found = opened()
    assert found.propose_write_off(Decimal("0.011"), "rounding", ON, PROPOSER) == "recorded"
    assert found.propose_write_off(Decimal("0.011"), "rounding", ON, PROPOSER) == "unchanged"
    found.collect_events()
    with pytest.raises(RuleViolation) as refused:
        found.approve_write_off(ON, PROPOSER)
    assert refused.value.rule == "write-off-second-person"
    assert found.collect_events() == []
    assert found.approve_write_off(ON, APPROVER) == "recorded"
    (written,) = found.collect_events()
    assert (written.proposed_by, written.approved_by, written.amount) == (
        "treasurer",
        "controller",
        Decimal("0.011"),
    )
    assert found.approve_write_off(ON, APPROVER) == "unchanged"


def test_no_approval_without_a_proposal_nor_a_second_proposal() -> None:
    found = opened()
    with pytest.raises(RuleViolation, match="write-off-not-proposed"):
        found.approve_write_off(ON, APPROVER)
    found.propose_write_off(Decimal("0.011"), "rounding", ON, PROPOSER)
    with pytest.raises(RuleViolation, match="write-off-proposed"):
        found.propose_write_off(Decimal("0.02"), "other", ON, APPROVER)


def test_a_resolved_break_takes_no_more_work() -> None:
    found = opened()
    assert found.assign("treasurer", ON, PROPOSER) == "recorded"
    assert found.assign("treasurer", ON, PROPOSER) == "unchanged"
    assert found.resolve("s:2", "restated", ON, PROPOSER) == "recorded"
    for step in (
        lambda: found.assign("controller", ON, APPROVER),
        lambda: found.resolve("s:3", "", ON, APPROVER),
        lambda: found.propose_write_off(Decimal(0), "x", ON, APPROVER),
    ):
        with pytest.raises(RuleViolation, match="break-not-open"):
            step()
    # A comment is still welcome: it explains, it changes nothing.
    assert found.comment("checked with the custodian", ON, APPROVER) == "recorded"


def test_a_resolution_names_its_event() -> None:
    with pytest.raises(RuleViolation, match="break-resolution"):
        opened().resolve(" ", "", ON, PROPOSER)


def test_a_resolved_break_found_again_is_reopened_once() -> None:
    found = opened()
    found.resolve("s:2", "restated", ON, PROPOSER)
    found.collect_events()
    again = Finding(
        FINDING.check, FINDING.key, BreakKind.AMOUNT_DIFFERS, "INTL-BCV/R", FINDING.business_date,
        Decimal("136.99"), Decimal("137.02"), ("s:1",), ("ab#row=4",), "differs again",
    )  # fmt: skip
    assert found.reopen(again, ON, PROPOSER) == "recorded"
    (reopened,) = found.collect_events()
    assert (reopened.difference, reopened.detail) == (Decimal("0.03"), "differs again")
    assert found.status == "open"
    assert found.reopen(again, ON, PROPOSER) == "unchanged"  # open: nothing to reopen
    # Resolved a second time, under an idempotency key of its own.
    found.resolve("s:5", "restated again", ON, PROPOSER)
    (second,) = found.collect_events()
    assert second.idempotency_key == f"break-resolved/{FINDING.key}@v3"


def test_a_written_off_break_is_not_reopened() -> None:
    found = opened()
    found.propose_write_off(Decimal("0.011"), "rounding", ON, PROPOSER)
    found.approve_write_off(ON, APPROVER)
    found.collect_events()
    assert found.reopen(FINDING, ON, PROPOSER) == "unchanged"
    assert found.collect_events() == []
