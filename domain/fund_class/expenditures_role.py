"""What the Distributor spent under the plan, and for which FIFTH purpose (reported only,
decision Q3), and the reversal of an expenditure recorded by mistake.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.errors import RuleViolation
from domain.events import (
    LedgerEvent,
    Provenance,
    check_not_reversed,
    check_reversal,
    is_replay_of,
    provenance_fields,
)
from domain.expenditures import Performer, Purpose, expenditure_digest, expenditure_digest_of
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.terms_role import TermsRole
from domain.periods import Period
from domain.records import reversal_fields


class ExpendituresRole(TermsRole):
    """Record an expenditure, idempotent by reference, and reverse one."""

    class ExpenditureRecorded(LedgerEvent):
        TOPIC = "planledger.FundClass.ExpenditureRecorded"
        purpose: str
        performer: str
        performer_name: str
        amount: Decimal
        period_start: date
        period_end_exclusive: date
        description: str
        reference: str
        company_agreement_reference: str

        def apply(self, fund_class: ExpendituresRole) -> None:
            fund_class.expenditure_digests[self.reference] = expenditure_digest(self)

    class ExpenditureReversed(LedgerEvent):
        TOPIC = "planledger.FundClass.ExpenditureReversed"
        reference: str
        reversed_version: int
        amount: Decimal
        purpose: str
        performer: str
        performer_name: str
        period_start: date
        period_end_exclusive: date
        reason: str

        def apply(self, fund_class: ExpendituresRole) -> None:
            fund_class.reversed_expenditure_references.append(self.reference)

    def record_expenditure(
        self,
        *,
        incurred_on: date,
        period: Period,
        purpose: Purpose,
        performer: Performer,
        performer_name: str,
        amount: Decimal,
        description: str,
        reference: str,
        company_agreement_reference: str,
        provenance: Provenance,
    ) -> str:
        """Record what the Distributor spent, and for which FIFTH purpose (reporting only, Q3).

        Raises:
            RuleViolation: "other agreed services" without the Company's agreement reference, or
                a reference reused for different details.
        """
        event_fields: dict[str, object] = {
            "purpose": purpose.value,
            "performer": performer.value,
            "performer_name": performer_name,
            "amount": amount,
            "period_start": period.start,
            "period_end_exclusive": period.end_exclusive,
            "description": description,
            "reference": reference,
            "company_agreement_reference": company_agreement_reference,
        }
        digest = expenditure_digest_of(incurred_on, event_fields)
        check_not_reversed(
            self.reversed_expenditure_references,
            reference,
            f"{self.key} expenditure",
            "reverse expenditure",
        )
        if is_replay_of(self.expenditure_digests, reference, digest, f"{self.key} expenditure"):
            return UNCHANGED
        if purpose is Purpose.OTHER_AGREED_SERVICES and not company_agreement_reference:
            raise RuleViolation(
                "other-services-need-agreement",
                "FIFTH",
                f"{self.key} {reference}: other services and activities must be agreed upon by "
                f"the Company; give the agreement's reference",
            )
        self.trigger_event(
            self.ExpenditureRecorded,
            **provenance_fields(provenance, incurred_on, f"expenditure/{reference}"),
            **event_fields,
        )
        return RECORDED

    def reverse_expenditure(
        self, original: ExpendituresRole.ExpenditureRecorded, reason: str, provenance: Provenance
    ) -> str:
        """Reverse an expenditure recorded by mistake (`original`: its `ExpenditureRecorded`).

        Raises:
            RuleViolation: no reason, or not an expenditure of this class as recorded.
        """
        reference = original.reference
        check_reversal(
            self.expenditure_digests, reference, expenditure_digest(original), reason, self.key
        )
        if reference in self.reversed_expenditure_references:
            return UNCHANGED
        key = f"expenditure-reversal/{reference}"
        self.trigger_event(
            self.ExpenditureReversed,
            **provenance_fields(provenance, original.business_date, key),
            **reversal_fields(original, reason),
            purpose=original.purpose,
            performer=original.performer,
            performer_name=original.performer_name,
        )
        return RECORDED
