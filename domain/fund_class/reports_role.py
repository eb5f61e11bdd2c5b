"""Sales of the class suspended and resumed (SIXTH: recorded only, payments go on), and the
written quarterly reports (FOURTH): each issue, named by the SHA-256 of its files, and the
board's review of the latest issue of a quarter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.governance import latest_issues
from domain.fund_class.records import ReportIssue
from domain.fund_class.terms_role import TermsRole


class ReportsRole(TermsRole):
    """Record sales suspended or resumed, and the quarterly reports issued and reviewed."""

    class SalesSuspended(LedgerEvent):
        TOPIC = "planledger.FundClass.SalesSuspended"
        reason: str

        def apply(self, fund_class: ReportsRole) -> None:
            fund_class.sales_suspended = True

    class SalesResumed(LedgerEvent):
        TOPIC = "planledger.FundClass.SalesResumed"
        reason: str

        def apply(self, fund_class: ReportsRole) -> None:
            fund_class.sales_suspended = False

    class QuarterlyReportIssued(LedgerEvent):
        TOPIC = "planledger.FundClass.QuarterlyReportIssued"
        # Version 2 names the SHA-256 of each file issued (format → digest), whose bytes the
        # store keeps (docs/events.md); version 1 named the JSON form's hash alone.
        class_version = 2
        quarter: str
        report_sha256: str
        issued_by: str
        files: dict[str, str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Issued before the files were kept: none is named."""
            state["files"] = {}

        def apply(self, fund_class: ReportsRole) -> None:
            fund_class.report_issues.append(
                ReportIssue(self.quarter, self.report_sha256, self.business_date, None)
            )

    class QuarterlyReportReviewed(LedgerEvent):
        TOPIC = "planledger.FundClass.QuarterlyReportReviewed"
        quarter: str
        report_sha256: str
        meeting_id: str

        def apply(self, fund_class: ReportsRole) -> None:
            fund_class._review_latest_issue(self.quarter, self.business_date)

    def suspend_sales(self, on: date, reason: str, provenance: Provenance) -> None:
        """Recorded only: SIXTH lets payments go on while sales are suspended or limited."""
        key = f"sales-suspended/{self.key}/{on}"
        self.trigger_event(
            self.SalesSuspended, **provenance_fields(provenance, on, key), reason=reason
        )

    def resume_sales(self, on: date, reason: str, provenance: Provenance) -> None:
        key = f"sales-resumed/{self.key}/{on}"
        self.trigger_event(
            self.SalesResumed, **provenance_fields(provenance, on, key), reason=reason
        )

    def latest_report(self, quarter: str) -> ReportIssue | None:
        """The latest issue of the quarter's report, if any."""
        return latest_issues(self.report_issues).get(quarter)

    def issue_quarterly_report(
        self,
        quarter: str,
        report_sha256: str,
        issued_on: date,
        issued_by: str,
        provenance: Provenance,
        *,
        files: Mapping[str, str] | None = None,
    ) -> str:
        """`files`: the SHA-256 of each file issued, by format (the JSON one is
        `report_sha256`)."""
        recorded = self.latest_report(quarter)
        if recorded is not None and recorded.report_sha256 == report_sha256:
            return UNCHANGED
        named = dict(sorted((files or {}).items()))
        if "json" in named and named["json"] != report_sha256:
            raise ValueError(f"the JSON file issued is not the report {report_sha256}")
        key = f"report-issued/{self.key}/{quarter}/{report_sha256[:16]}"
        self.trigger_event(
            self.QuarterlyReportIssued,
            **provenance_fields(provenance, issued_on, key),
            quarter=quarter,
            report_sha256=report_sha256,
            issued_by=issued_by,
            files=named,
        )
        return RECORDED

    def review_quarterly_report(
        self, quarter: str, meeting_id: str, reviewed_on: date, provenance: Provenance
    ) -> str:
        recorded = self.latest_report(quarter)
        if recorded is None or recorded.issued_on > reviewed_on:
            raise RuleViolation(
                "report-not-issued",
                "FOURTH",
                f"{self.key}: no written report for {quarter} was issued by {reviewed_on}",
            )
        if recorded.reviewed_on is not None:
            return UNCHANGED
        key = f"report-reviewed/{self.key}/{quarter}"
        self.trigger_event(
            self.QuarterlyReportReviewed,
            **provenance_fields(provenance, reviewed_on, key),
            quarter=quarter,
            report_sha256=recorded.report_sha256,
            meeting_id=meeting_id,
        )
        return RECORDED

    def _review_latest_issue(self, quarter: str, reviewed_on: date) -> None:
        index = max(i for i, issue in enumerate(self.report_issues) if issue.quarter == quarter)
        self.report_issues[index] = replace(self.report_issues[index], reviewed_on=reviewed_on)
