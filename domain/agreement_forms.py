"""The board's approval of a form of agreement under SEVENTH (kinds A to D).

SEVENTH's Service, Third Party, Variable Contract and Bank Trust Department Agreements are
"agreements related to the plan": Rule 12b-1(b)(2) asks that each be approved by the board
and by the directors who are not interested persons and have no financial interest in the plan
or its related agreements, in person, at a meeting called for the purpose. The Distributor
makes many agreements on one form, so the board approves the form; an agreement made on an
approved form is approved with it (decision A15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AgreementFormApproval:
    """A passed resolution approving one form of agreement for some fund classes."""

    agreement_kind: str  # "A" to "D", SEVENTH's sub-paragraph
    form_reference: str  # the document's name and version
    form_sha256: str | None  # the SHA-256 of its text, when the minutes give it
    approved_on: date  # the meeting's date: the form is approved from that day
    resolution_id: str
    meeting_id: str
    fund_classes: tuple[str, ...]

    def covers(self, fund_class_key: str) -> bool:
        return fund_class_key in self.fund_classes


def approvals_of_form(
    approvals: list[AgreementFormApproval], form_reference: str
) -> list[AgreementFormApproval]:
    """The approvals of one form, earliest first."""
    return sorted(
        (approval for approval in approvals if approval.form_reference == form_reference),
        key=lambda approval: approval.approved_on,
    )
