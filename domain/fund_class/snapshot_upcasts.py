"""How a snapshot of an older `FundClass` state becomes the current one.

The library calls `upcast_vN_vN+1` in turn on the state a snapshot kept, its values already
decoded (Decimals, dates; records from version 4). Each step must give exactly the state a
replay of the same events gives: `planledger verify` compares the two.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.fund_class.records import (
    agreement_event_from,
    amendment_from,
    approval_from,
    cap_line_from,
    continuance_from,
    report_issue_from,
    schedule_b_version_from,
    segment_from,
)
from domain.records import Payment


def upcast_v1_v2(state: dict[str, Any]) -> None:
    """Version 1 kept one list of reversed references for payments and expenditures,
    each reference at most once. A reversed payment left `payments` but kept its digest,
    so the references of payments no longer paid are the payment reversals; the rest
    are expenditure reversals."""
    reversed_references = state.pop("reversed_references")
    still_paid = {payment["reference"] for payment in state["payments"]}
    payments = [
        reference
        for reference in reversed_references
        if reference in state["payment_digests"] and reference not in still_paid
    ]
    state["reversed_payment_references"] = payments
    state["reversed_expenditure_references"] = [
        reference for reference in reversed_references if reference not in payments
    ]


def upcast_v2_v3(state: dict[str, Any]) -> None:
    """Version 2 kept only the latest issue of each quarter's report: it becomes the
    history's one entry for that quarter."""
    state["report_issues"] = [
        {"quarter": quarter, **details} for quarter, details in sorted(state["reports"].items())
    ]


def upcast_v3_v4(state: dict[str, Any]) -> None:
    """Version 3 kept plain mappings where version 4 keeps records, and the latest issue of
    each report besides the history (now read from the history)."""
    del state["reports"]
    state["schedule_b_versions"] = [
        schedule_b_version_from(row) for row in state["schedule_b_versions"]
    ]
    state["segments_by_month"] = {
        month: [segment_from(row) for row in rows]
        for month, rows in state["segments_by_month"].items()
    }
    state["payments"] = [Payment.from_stored(row) for row in state["payments"]]
    state["approvals"] = [approval_from(row) for row in state["approvals"]]
    state["continuances"] = [continuance_from(row) for row in state["continuances"]]
    state["amendments"] = {
        amendment_id: amendment_from(row) for amendment_id, row in state["amendments"].items()
    }
    state["agreement_changes"] = [agreement_event_from(row) for row in state["agreement_changes"]]
    state["report_issues"] = [report_issue_from(row) for row in state["report_issues"]]
    state["cap_lines"] = [cap_line_from(row) for row in state["cap_lines"]]


def upcast_v4_v5(state: dict[str, Any]) -> None:
    """Version 5 keeps the service fees credited to the aggregate-cap account (decision A13);
    none was credited before it."""
    state["cap_service_credits"] = {}


def upcast_v5_v6(state: dict[str, Any]) -> None:
    """Version 6 adds what a new plan after a lapse and an agreement approved in advance need
    (decisions Q6b, Q11a). A snapshot of version 5 was taken before any such event existed,
    so each starts empty, as a replay of the same events leaves it."""
    state["new_plans_awaiting_vote"] = {}
    state["plan_resumptions"] = []
    state["advance_agreement_approvals"] = []
    state["approval_exception_resolutions"] = []


def upcast_v6_v7(state: dict[str, Any]) -> None:
    """Version 7 keeps a fund added to Schedule A that awaits its shareholders (decision A17);
    no class before it was such a fund."""
    state["schedule_a_addition"] = None


def upcast_v7_v8(state: dict[str, Any]) -> None:
    """Version 8 keeps the receivable from the Distributor (decision A16). Its events are new,
    so a version 7 snapshot had none: nothing booked, taken or refunded. Its payments keep no
    date, as a replay of the payments recorded before leaves none."""
    state["receivable_by_month"] = {}
    state["receivable_taken_by_month"] = {}
    state["receivable_absc_total"] = Decimal("0")
    state["receivable_service_total"] = Decimal("0")
    state["refund_digests"] = {}


def upcast_v8_v9(state: dict[str, Any]) -> None:
    """Version 9 keeps the service fees' shares pending credit to the aggregate-cap account
    (decision A13). A fee recorded before left what a month had no room for never credited
    (its event upcast says so), so a version 8 snapshot had nothing pending."""
    state["cap_service_pending"] = {}
