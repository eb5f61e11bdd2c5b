"""Payments to the Distributor, service providers' agreements and fees, and expenditures."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from adapters.application.commands import (
    PayDistributor,
    PayProvider,
    ReceiveDistributorRefund,
    RecordExpenditure,
    SignProviderAgreement,
)
from adapters.application.ports import Ports
from domain.agreement_forms import AgreementFormApproval
from domain.errors import RuleViolation, UnknownFundClassError
from domain.fund_class import UNCHANGED, FundClass
from domain.money import ZERO
from domain.service import ServiceArrangement
from domain.service_fees import ServiceFeeCap


@dataclass(frozen=True)
class PaymentUseCases:
    ports: Ports

    def pay_distributor(self, command: PayDistributor) -> tuple[str, Decimal, Decimal]:
        """Record a payment to the Distributor; `amount=None` pays in cash what the period
        accrued and is unpaid, less the receivable offset against it (decision A16).

        Returns:
            The outcome (recorded or unchanged), the cash paid and the receivable offset.
        """
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        offset = fund_class.offset_for(command.period)
        amount = command.amount
        if amount is None:
            unpaid = fund_class.accrued_unpaid_in(command.period)
            if unpaid <= 0:
                raise RuleViolation(
                    "nothing-accrued",
                    "SECOND",
                    f"{fund_class.key}: nothing accrued and unpaid for {command.period.label()}",
                )
            amount = unpaid - offset
        with self._reversal_named(
            fund_class.id, FundClass.DistributorPaymentReversed, command.reference
        ):
            outcome = fund_class.pay_distributor(
                amount=amount,
                paid_on=command.paid_on,
                period=command.period,
                reference=command.reference,
                provenance=self.ports.provenance("command:pay distributor"),
            )
        self.ports.save(fund_class)
        return outcome, amount, ZERO if outcome == UNCHANGED else offset

    def receive_distributor_refund(self, command: ReceiveDistributorRefund) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        outcome = fund_class.receive_distributor_refund(
            amount=command.amount,
            received_on=command.received_on,
            reference=command.reference,
            note=command.note,
            provenance=self.ports.provenance("command:pay refund"),
        )
        self.ports.save(fund_class)
        return outcome

    def sign_provider_agreement(self, command: SignProviderAgreement) -> str:
        fund_code, share_class = command.fund_code, command.share_class
        fund_class = self.ports.view.fund_class(fund_code, share_class)
        provenance = self.ports.provenance("command:provider agree")
        to_save: list[Any] = []
        try:
            arrangement = self.ports.view.arrangement(command.provider_code, fund_code, share_class)
        except UnknownFundClassError:
            arrangement = ServiceArrangement.open(
                provider_code=command.provider_code,
                provider_name=command.provider_name,
                fund_code=fund_code,
                share_class=share_class,
                opened_on=command.effective_from,
                provenance=provenance,
            )
            registry = self.ports.registry_or_open(command.effective_from)
            registry.register_service_arrangement(
                command.provider_code, fund_code, share_class, command.effective_from, provenance
            )
            to_save.append(registry)
        outcome = arrangement.sign_agreement(
            reference=command.reference,
            kind=command.kind,
            contractual_rate_annual=command.contractual_rate_annual,
            effective_from=command.effective_from,
            effective_to=command.effective_to,
            agency_capacity_attested=command.agency_capacity_attested,
            form_reference=command.form_reference,
            schedule_b_service_rate_lowest=fund_class.service_rate_max_lowest_during(
                command.effective_from, command.effective_to
            ),
            provenance=provenance,
        )
        self.ports.save(arrangement, *to_save)
        return outcome

    def form_approvals_for(self, fund_class: FundClass) -> list[AgreementFormApproval]:
        """The forms of agreement the Company's board approved for the fund class."""
        board = self.ports.view.board(fund_class.company_code)
        return [] if board is None else board.agreement_forms_for(fund_class.key)

    def form_approved_by(self, command: SignProviderAgreement) -> bool:
        """Whether the board had approved the agreement's form, as its kind, for the fund class
        by the day the agreement takes effect (a fee for a day before an approval is refused)."""
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        return any(
            approval.form_reference == command.form_reference
            and approval.agreement_kind == command.kind.value
            and approval.approved_on <= command.effective_from
            for approval in self.form_approvals_for(fund_class)
        )

    def pay_provider(self, command: PayProvider) -> tuple[str, Decimal, ServiceFeeCap]:
        """Record a service fee to a provider; `amount=None` pays what the cap leaves."""
        view, period = self.ports.view, command.period
        fund_class = view.fund_class(command.fund_code, command.share_class)
        arrangement = view.arrangement(
            command.provider_code, command.fund_code, command.share_class
        )
        cap = arrangement.service_fee_cap(
            period, fund_class.service_rate_max_on, max_carry_days=command.max_carry_days
        )
        amount = command.amount
        if amount is None:
            amount = cap.cap_amount - arrangement.paid_for(period)
            if amount <= 0:
                raise RuleViolation(
                    "service-fee-cap",
                    "SEVENTH",
                    f"{arrangement.key}: the cap for {period.label()} is already paid",
                )
        provenance = self.ports.provenance("command:pay provider")
        with self._reversal_named(
            arrangement.id, ServiceArrangement.ServiceFeeReversed, command.reference
        ):
            outcome = arrangement.pay_service_fee(
                amount=amount,
                paid_on=command.paid_on,
                cap=cap,
                reference=command.reference,
                paid_or_advanced=command.paid_or_advanced,
                standing=fund_class.standing(),
                form_approvals=self.form_approvals_for(fund_class),
                provenance=provenance,
            )
        # The fee is passed on: credited back to the class's aggregate-cap account in the same
        # transaction (SIXTH; decision A13).
        fund_class.credit_service_fee(
            provider_code=command.provider_code,
            fee_reference=command.reference,
            fee_amount=amount,
            paid_on=command.paid_on,
            paid_or_advanced=command.paid_or_advanced,
            period=period,
            provenance=provenance,
        )
        self.ports.save(arrangement, fund_class)
        return outcome, amount, cap

    def record_expenditure(self, command: RecordExpenditure) -> str:
        fund_class = self.ports.view.fund_class(command.fund_code, command.share_class)
        with self._reversal_named(fund_class.id, FundClass.ExpenditureReversed, command.reference):
            outcome = fund_class.record_expenditure(
                incurred_on=command.incurred_on,
                period=command.period,
                purpose=command.purpose,
                performer=command.performer,
                performer_name=command.performer_name,
                amount=command.amount,
                description=command.description,
                reference=command.reference,
                company_agreement_reference=command.company_agreement_reference,
                provenance=self.ports.provenance(command.source),
            )
        self.ports.save(fund_class)
        return outcome

    @contextmanager
    def _reversal_named(
        self, stream_id: UUID, reversal_type: type[Any], reference: str
    ) -> Iterator[None]:
        """A `reference-reversed` refusal, saying when, by whom and why the record was
        reversed: read from the stream only then, as the aggregate keeps only the references."""
        try:
            yield
        except RuleViolation as violation:
            if violation.rule != "reference-reversed":
                raise
            note = _reversal_note(self.ports.view.stream(stream_id), reversal_type, reference)
            raise RuleViolation(violation.rule, violation.clause, violation.detail + note) from None


def _reversal_note(events: Iterable[Any], reversal_type: type[Any], reference: str) -> str:
    for event in events:
        if isinstance(event, reversal_type) and event.reference == reference:
            return (
                f"; reversed on {event.timestamp.date().isoformat()} by {event.actor}: "
                f"{event.reason!r}"
            )
    return ""
