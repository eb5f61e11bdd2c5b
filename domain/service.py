"""The `ServiceArrangement` aggregate: one service provider's agreements for one fund class.

SEVENTH lets the Distributor pay service fees to dealers (A), third parties (B), insurance
companies under variable contract agreements (C) and bank trust departments and their brokers
(D). The fee paid to a provider is capped by the average daily net assets of its customers'
shares, so the positions, the agreements and the payments live together in this stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.agreement_forms import AgreementFormApproval, approvals_of_form
from domain.basis import bases_for_days
from domain.errors import RuleViolation
from domain.event_building import DirectEvents
from domain.events import (
    LedgerEvent,
    Provenance,
    check_not_reversed,
    check_reversal,
    is_replay_of,
    payload_digest,
    provenance_fields,
)
from domain.ids import fund_class_key, service_arrangement_id
from domain.money import ZERO, exact_add, shown_exact
from domain.periods import Period
from domain.rates import format_percent
from domain.records import (
    Payment,
    differs_from_recorded,
    restated_fields,
    restatement_key,
    reversal_fields,
    stored_as,
    without_payment,
)
from domain.service_fees import ServiceFeeCap, compute_service_fee_cap
from domain.terms import PlanStanding

RECORDED = "recorded"
UNCHANGED = "unchanged"
RESTATED = "restated"
FORM_NAMED = "form named"


class AgreementKind(Enum):
    """SEVENTH (A) to (D)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def label(self) -> str:
        return AGREEMENT_KIND_LABELS[self]


AGREEMENT_KIND_LABELS = {
    AgreementKind.A: "Service Agreement with a dealer (SEVENTH (A))",
    AgreementKind.B: "Third Party Agreement (SEVENTH (B))",
    AgreementKind.C: "Variable Contract Agreement (SEVENTH (C))",
    AgreementKind.D: "Bank Trust Department Agreement (SEVENTH (D))",
}

PAID = "paid"
ADVANCED = "advanced"


@dataclass(frozen=True)
class ProviderAgreement:
    """An agreement under SEVENTH as the arrangement's state keeps it."""

    RECORD_NAME: ClassVar[str] = "planledger.ServiceArrangement.ProviderAgreement"

    reference: str
    kind: str
    contractual_rate_annual: Decimal
    effective_from: date
    effective_to: date | None
    agency_capacity_attested: bool
    # The form of agreement it was made on (decision A15); None for an agreement recorded
    # before forms were recorded, until its form is named.
    form_reference: str | None = None

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    @classmethod
    def from_stored(cls, row: Mapping[str, object]) -> ProviderAgreement:
        effective_to = row["effective_to"]
        return cls(
            stored_as(str, row["reference"]),
            stored_as(str, row["kind"]),
            stored_as(Decimal, row["contractual_rate_annual"]),
            stored_as(date, row["effective_from"]),
            None if effective_to is None else stored_as(date, effective_to),
            stored_as(bool, row["agency_capacity_attested"]),
            _stored_form(row.get("form_reference")),
        )


def _stored_form(value: object) -> str | None:
    return None if value is None else stored_as(str, value)


# The records a snapshot of an arrangement holds (stored under their RECORD_NAME).
SNAPSHOT_RECORDS: tuple[type, ...] = (ProviderAgreement,)


class ServiceArrangementState:
    """The state's attributes, declared for the type checker (the event library turns an
    aggregate class with annotations into a dataclass, so they are declared here)."""

    provider_code: str
    provider_name: str
    fund_code: str
    share_class: str
    agreements: list[ProviderAgreement]
    agreement_digests: dict[str, str]
    positions_by_date: dict[str, Decimal]
    payments: list[Payment]
    payment_digests: dict[str, str]
    reversed_references: list[str]


class ServiceArrangement(ServiceArrangementState, DirectEvents, Aggregate):
    TOPIC = "planledger.ServiceArrangement"
    # The version of the state a snapshot keeps. Version 2 keeps records where 1 kept plain
    # mappings (the payments are `Payment`s, shared with `FundClass`); version 3's agreements
    # name the form they were made on (decision A15).
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 kept agreements and payments as plain mappings."""
        state["agreements"] = [ProviderAgreement.from_stored(row) for row in state["agreements"]]
        state["payments"] = [Payment.from_stored(row) for row in state["payments"]]

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """Version 2's agreements named no form: each reads as made on no form (the record's
        field is None), as a replay of their version 1 `ProviderAgreementSigned` builds it."""
        state["agreements"] = [
            replace(agreement, form_reference=None) for agreement in state["agreements"]
        ]

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.ServiceArrangement.Created"

    class ServiceArrangementOpened(Aggregate.Created, Event):
        TOPIC = "planledger.ServiceArrangement.ServiceArrangementOpened"
        provider_code: str
        provider_name: str
        fund_code: str
        share_class: str

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.provider_code = self.provider_code
            arrangement.provider_name = self.provider_name
            arrangement.fund_code = self.fund_code
            arrangement.share_class = self.share_class
            arrangement.agreements = []
            arrangement.agreement_digests = {}
            arrangement.positions_by_date = {}
            arrangement.payments = []
            arrangement.payment_digests = {}
            arrangement.reversed_references = []

    class ProviderAgreementSigned(Event):
        TOPIC = "planledger.ServiceArrangement.ProviderAgreementSigned"
        # Version 2 names the form of agreement (decision A15).
        class_version = 2
        agreement_reference: str
        kind: str
        contractual_rate_annual: Decimal
        effective_from: date
        effective_to: date | None
        agency_capacity_attested: bool
        schedule_b_service_rate_annual: Decimal
        form_reference: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 was recorded before agreements named their form: it reads as an
            agreement on no form, which pays no new fee until its form is named."""
            state["form_reference"] = None

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.agreements.append(
                ProviderAgreement(
                    self.agreement_reference,
                    self.kind,
                    self.contractual_rate_annual,
                    self.effective_from,
                    self.effective_to,
                    self.agency_capacity_attested,
                    self.form_reference,
                )
            )
            arrangement.agreement_digests[self.agreement_reference] = _agreement_digest(
                self.kind,
                self.contractual_rate_annual,
                self.effective_from,
                self.effective_to,
                self.agency_capacity_attested,
            )

    class ProviderAgreementFormNamed(Event):
        """The form an agreement recorded without one was made on (decision A15)."""

        TOPIC = "planledger.ServiceArrangement.ProviderAgreementFormNamed"
        agreement_reference: str
        form_reference: str

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.agreements = [
                replace(agreement, form_reference=self.form_reference)
                if agreement.reference == self.agreement_reference
                else agreement
                for agreement in arrangement.agreements
            ]

    class ProviderPositionRecorded(Event):
        TOPIC = "planledger.ServiceArrangement.ProviderPositionRecorded"
        net_assets: Decimal

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.positions_by_date[self.business_date.isoformat()] = self.net_assets

    class ProviderPositionRestated(Event):
        TOPIC = "planledger.ServiceArrangement.ProviderPositionRestated"
        net_assets: Decimal
        net_assets_previous: Decimal | None
        reason: str

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.positions_by_date[self.business_date.isoformat()] = self.net_assets

    class ServiceFeePaid(Event):
        TOPIC = "planledger.ServiceArrangement.ServiceFeePaid"
        amount: Decimal
        paid_or_advanced: str
        period_start: date
        period_end_exclusive: date
        reference: str
        cap_amount_exact: Decimal
        cap_amount: Decimal
        net_assets_average_daily: Decimal
        days_in_period: int
        days_covered: int
        rate_segments: list[dict[str, Any]]

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.payments.append(
                Payment(self.reference, self.period_start, self.period_end_exclusive, self.amount)
            )
            arrangement.payment_digests[self.reference] = payload_digest(
                self.amount,
                self.business_date,
                self.period_start,
                self.period_end_exclusive,
                self.paid_or_advanced,
            )

    class ServiceFeeReversed(Event):
        TOPIC = "planledger.ServiceArrangement.ServiceFeeReversed"
        reference: str
        reversed_version: int
        amount: Decimal
        paid_or_advanced: str
        period_start: date
        period_end_exclusive: date
        reason: str

        def apply(self, arrangement: ServiceArrangement) -> None:
            arrangement.payments = without_payment(arrangement.payments, self.reference)
            arrangement.reversed_references.append(self.reference)

    # ---- identity and creation -------------------------------------------------------------

    @staticmethod
    def create_id(provider_code: str, fund_code: str, share_class: str) -> UUID:
        return service_arrangement_id(provider_code, fund_code, share_class)

    @classmethod
    def open(
        cls,
        *,
        provider_code: str,
        provider_name: str,
        fund_code: str,
        share_class: str,
        opened_on: date,
        provenance: Provenance,
    ) -> ServiceArrangement:
        key = f"service-arrangement/{provider_code}/{fund_code}/{share_class}"
        return cls._create(
            cls.ServiceArrangementOpened,
            id=service_arrangement_id(provider_code, fund_code, share_class),
            **provenance_fields(provenance, opened_on, key),
            provider_code=provider_code,
            provider_name=provider_name,
            fund_code=fund_code,
            share_class=share_class,
        )

    @property
    def key(self) -> str:
        return f"{self.provider_code} on {fund_class_key(self.fund_code, self.share_class)}"

    # ---- agreements -------------------------------------------------------------------------

    def sign_agreement(
        self,
        *,
        reference: str,
        kind: AgreementKind,
        contractual_rate_annual: Decimal,
        effective_from: date,
        effective_to: date | None,
        agency_capacity_attested: bool,
        schedule_b_service_rate_lowest: Decimal,
        form_reference: str,
        provenance: Provenance,
    ) -> str:
        """Record an agreement under SEVENTH, made on the form `form_reference`.

        The same agreement again is unchanged; again with a form, when it was recorded before
        agreements named their form, it names the form (FORM_NAMED).

        Args:
            schedule_b_service_rate_lowest: the lowest Schedule B maximum service fee in force
                on any day of the agreement; the contractual rate may not exceed it.
        Raises:
            RuleViolation: the rate exceeds Schedule B, the dates are reversed, or the
                reference was used for an agreement with other terms or on another form.
        """
        digest = _agreement_digest(
            kind.value,
            contractual_rate_annual,
            effective_from,
            effective_to,
            agency_capacity_attested,
        )
        if is_replay_of(self.agreement_digests, reference, digest, f"{self.key} agreement"):
            return self._name_form(reference, form_reference, provenance)
        self._check_agreement(
            reference,
            contractual_rate_annual,
            schedule_b_service_rate_lowest,
            effective_from,
            effective_to,
        )
        key = (
            f"provider-agreement/{self.provider_code}/{self.fund_code}/{self.share_class}/"
            f"{reference}"
        )
        self.trigger_event(
            self.ProviderAgreementSigned,
            **provenance_fields(provenance, effective_from, key),
            agreement_reference=reference,
            kind=kind.value,
            contractual_rate_annual=contractual_rate_annual,
            effective_from=effective_from,
            effective_to=effective_to,
            agency_capacity_attested=agency_capacity_attested,
            schedule_b_service_rate_annual=schedule_b_service_rate_lowest,
            form_reference=form_reference,
        )
        return RECORDED

    def _name_form(self, reference: str, form_reference: str, provenance: Provenance) -> str:
        """The form of an agreement already recorded: unchanged if it names this form, named
        if it named none, refused if it names another."""
        agreement = next(a for a in self.agreements if a.reference == reference)
        if agreement.form_reference == form_reference:
            return UNCHANGED
        if agreement.form_reference is not None:
            raise RuleViolation(
                "reference-reused",
                "idempotency",
                f"{self.key} agreement: reference {reference!r} was recorded on the form "
                f"{agreement.form_reference!r}, not {form_reference!r}",
            )
        key = (
            f"provider-agreement-form/{self.provider_code}/{self.fund_code}/{self.share_class}/"
            f"{reference}"
        )
        self.trigger_event(
            self.ProviderAgreementFormNamed,
            **provenance_fields(provenance, agreement.effective_from, key),
            agreement_reference=reference,
            form_reference=form_reference,
        )
        return FORM_NAMED

    def _check_agreement(
        self,
        reference: str,
        rate_annual: Decimal,
        schedule_b_service_rate_lowest: Decimal,
        effective_from: date,
        effective_to: date | None,
    ) -> None:
        if effective_to is not None and effective_to < effective_from:
            raise RuleViolation(
                "agreement-dates",
                "SEVENTH",
                f"{self.key} {reference}: the agreement ends ({effective_to}) before it starts "
                f"({effective_from})",
            )
        if rate_annual > schedule_b_service_rate_lowest:
            raise RuleViolation(
                "service-rate-above-schedule-b",
                "SEVENTH; Schedule B maximum service fee",
                f"{self.key} {reference}: contractual rate "
                f"{format_percent(rate_annual)} exceeds the Schedule B maximum "
                f"service fee of {format_percent(schedule_b_service_rate_lowest)}",
            )

    def agreement_on(self, day: date) -> ProviderAgreement | None:
        """The agreement in force on `day`: of those whose dates cover the day, the one that
        took effect last (a new agreement supersedes an earlier one while it runs)."""
        in_force: ProviderAgreement | None = None
        for agreement in self.agreements:
            if agreement.covers(day) and (
                in_force is None or agreement.effective_from >= in_force.effective_from
            ):
                in_force = agreement
        return in_force

    def contractual_rate_on(self, day: date) -> Decimal | None:
        in_force = self.agreement_on(day)
        return None if in_force is None else in_force.contractual_rate_annual

    # ---- positions --------------------------------------------------------------------------

    def check_position(self, day: date, net_assets: Decimal) -> str | None:
        """Why recording this position needs a restatement, or None if it does not."""
        recorded = self.positions_by_date.get(day.isoformat())
        differs = differs_from_recorded(self.key, day, recorded, net_assets)
        if differs is not None:
            return differs
        if recorded is None:
            for payment in self.payments:
                if payment.period_start <= day < payment.period_end_exclusive:
                    return (
                        f"{self.key} {day}: the service fee {payment.reference} covering "
                        f"that day was already paid on the basis of an earlier position"
                    )
        return None

    def record_position(
        self,
        day: date,
        net_assets: Decimal,
        provenance: Provenance,
        restatement_reason: str | None = None,
    ) -> str:
        recorded = self.positions_by_date.get(day.isoformat())
        if recorded == net_assets:
            return UNCHANGED
        problem = self.check_position(day, net_assets)
        if problem is None:
            key = (
                f"provider-position/{self.provider_code}/{self.fund_code}/{self.share_class}/{day}"
            )
            self.trigger_event(
                self.ProviderPositionRecorded,
                **provenance_fields(provenance, day, key),
                net_assets=net_assets,
            )
            return RECORDED
        if not restatement_reason:
            raise RuleViolation(
                "provider-position-restatement-required",
                "SEVENTH",
                f"{problem}; import it as a restatement with a reason",
            )
        prefix = (
            f"provider-position-restatement/{self.provider_code}/{self.fund_code}/"
            f"{self.share_class}"
        )
        key = restatement_key(prefix, day, net_assets, self.version + 1)
        self.trigger_event(
            self.ProviderPositionRestated,
            **provenance_fields(provenance, day, key),
            **restated_fields(net_assets, recorded, restatement_reason),
        )
        return RESTATED

    # ---- service fees -----------------------------------------------------------------------

    def service_fee_cap(
        self,
        period: Period,
        schedule_b_service_rate_on: Callable[[date], Decimal],
        *,
        max_carry_days: int,
    ) -> ServiceFeeCap:
        """The most this provider may be paid for `period` (SEVENTH; FINRA 2341(d)(5)).

        Raises:
            MissingFiguresError: a run of covered days without positions beyond the limit.
        """
        covered_days = [
            day for day in period.each_day() if self.contractual_rate_on(day) is not None
        ]
        bases = bases_for_days(
            self.positions_by_date,
            covered_days,
            max_carry_days=max_carry_days,
            subject=f"{self.key} positions",
            rule="provider-positions-missing",
            clause="SEVENTH",
        )

        def rate_on(day: date) -> Decimal:
            contractual = self.contractual_rate_on(day)
            assert contractual is not None
            return min(contractual, schedule_b_service_rate_on(day))

        return compute_service_fee_cap(period, bases, rate_on)

    def paid_for(self, period: Period) -> Decimal:
        total = ZERO
        for payment in self.payments:
            if payment.period == period:
                total = exact_add(total, payment.amount)
        return total

    def pay_service_fee(
        self,
        *,
        amount: Decimal,
        paid_on: date,
        cap: ServiceFeeCap,
        reference: str,
        paid_or_advanced: str,
        standing: PlanStanding,
        form_approvals: Sequence[AgreementFormApproval],
        provenance: Provenance,
    ) -> str:
        """Record a service fee paid (or advanced) by the Distributor to this provider.

        Args:
            standing: the fund class's plan and Distributor agreement, day by day.
            form_approvals: the board's approvals of forms of agreement for this fund class.

        Raises:
            RuleViolation: a day paid for on which the plan or the agreement with the
                Distributor is not in effect, or under an agreement whose form the board had
                not approved by then; no agreement in effect in the period, a period
                overlapping a paid one, a total above the cap, a reference reused with other
                details, or a reference reversed.
        """
        period = cap.period
        digest = payload_digest(
            amount, paid_on, period.start, period.end_exclusive, paid_or_advanced
        )
        check_not_reversed(
            self.reversed_references, reference, f"{self.key} service fee", "reverse service-fee"
        )
        if is_replay_of(self.payment_digests, reference, digest, f"{self.key} service-fee payment"):
            return UNCHANGED
        days_paid_for = [
            day for day in period.each_day() if self.contractual_rate_on(day) is not None
        ]
        check_plan_in_effect_for_fee(self.key, period, days_paid_for, standing)
        check_agreement_forms_approved(
            self.key, period, days_paid_for, self.agreement_on, form_approvals
        )
        self._check_service_fee(amount, cap)
        key = f"service-fee-payment/{reference}"
        self.trigger_event(
            self.ServiceFeePaid,
            **provenance_fields(provenance, paid_on, key),
            amount=amount,
            paid_or_advanced=paid_or_advanced,
            period_start=period.start,
            period_end_exclusive=period.end_exclusive,
            reference=reference,
            cap_amount_exact=shown_exact(cap.cap_amount_exact),
            cap_amount=cap.cap_amount,
            net_assets_average_daily=shown_exact(cap.net_assets_average_daily),
            days_in_period=period.days,
            days_covered=cap.days_covered,
            rate_segments=_rate_segments_of(cap),
        )
        return RECORDED

    def _check_service_fee(self, amount: Decimal, cap: ServiceFeeCap) -> None:
        period = cap.period
        if cap.days_covered == 0:
            raise RuleViolation(
                "no-service-agreement",
                "SEVENTH",
                f"{self.key}: no agreement is in effect on any day of {period.label()}",
            )
        for payment in self.payments:
            paid_period = payment.period
            if paid_period != period and paid_period.overlaps(period):
                raise RuleViolation(
                    "service-fee-period-overlap",
                    "SEVENTH",
                    f"{self.key}: {period.label()} overlaps {paid_period.label()}, already paid "
                    f"by {payment.reference}",
                )
        already_paid = self.paid_for(period)
        if exact_add(already_paid, amount) > cap.cap_amount_exact:
            raise RuleViolation(
                "service-fee-cap",
                "SEVENTH; FINRA Rule 2341(d)(5)",
                f"{self.key} {period.label()}: {amount} (with {already_paid} already paid) "
                f"exceeds the cap {shown_exact(cap.cap_amount_exact)} = average daily net "
                f"assets {shown_exact(cap.net_assets_average_daily)} over {cap.days_covered} "
                f"covered days at the lower of the contractual and Schedule B rates",
            )

    def reverse_service_fee(
        self, original: ServiceArrangement.ServiceFeePaid, reason: str, provenance: Provenance
    ) -> str:
        """Reverse a service fee recorded by mistake (`original`: its `ServiceFeePaid` event).

        Raises:
            RuleViolation: no reason, or not a payment of this arrangement as recorded.
        """
        reference = original.reference
        digest = payload_digest(
            original.amount,
            original.business_date,
            original.period_start,
            original.period_end_exclusive,
            original.paid_or_advanced,
        )
        check_reversal(self.payment_digests, reference, digest, reason, self.key)
        if reference in self.reversed_references:
            return UNCHANGED
        self.trigger_event(
            self.ServiceFeeReversed,
            **provenance_fields(
                provenance, original.business_date, f"service-fee-reversal/{reference}"
            ),
            **reversal_fields(original, reason),
            paid_or_advanced=original.paid_or_advanced,
        )
        return RECORDED


def _agreement_digest(
    kind: str,
    rate: Decimal,
    effective_from: date,
    effective_to: date | None,
    agency_capacity_attested: bool,
) -> str:
    return payload_digest(kind, rate, effective_from, effective_to, agency_capacity_attested)


def check_plan_in_effect_for_fee(
    key: str, period: Period, days_paid_for: list[date], standing: PlanStanding
) -> None:
    """A service fee is paid from plan money (SIXTH: the Schedule B amounts "may also be used
    to compensate/reimburse the Distributor for making payments of service fees"), so each day
    it pays for (the days the provider's agreement covers) needs the plan and the agreement with
    the Distributor in effect, as an accrual or a Distributor payment does (ELEVENTH,
    THIRTEENTH; decision A12)."""
    for day in days_paid_for:
        if not standing.agreement_in_effect(day):
            _, why = standing.why_not_in_effect(day)
            raise RuleViolation(
                "plan-not-in-effect",
                "SIXTH; ELEVENTH, THIRTEENTH",
                f"{key}: a service fee for {period.label()} would pay for {day}, which is not "
                f"in effect: {why}",
            )


def check_agreement_forms_approved(
    key: str,
    period: Period,
    days_paid_for: list[date],
    agreement_on: Callable[[date], ProviderAgreement | None],
    form_approvals: Sequence[AgreementFormApproval],
) -> None:
    """Each day a service fee pays for is under an agreement made on a form of its SEVENTH kind
    that the board had approved by that day (Rule 12b-1(b)(2): the plan "and any agreements
    related to the plan" approved by the board and the Independent Board Members; decision
    A15). The first day that is not is named, with the agreement, the form and its kind."""
    for day in days_paid_for:
        agreement = agreement_on(day)
        if agreement is None:
            continue
        problem = _form_problem(agreement, day, form_approvals)
        if problem is not None:
            raise RuleViolation(
                "agreement-form-not-approved",
                f"SEVENTH ({agreement.kind}); Rule 12b-1(b)(2)",
                f"{key}: a service fee for {period.label()} would pay for {day} under agreement "
                f"{agreement.reference}, a {AgreementKind(agreement.kind).label}: {problem}",
            )


def _form_problem(
    agreement: ProviderAgreement, day: date, form_approvals: Sequence[AgreementFormApproval]
) -> str | None:
    """Why the agreement's form is not approved on `day`, or None if it is."""
    form = agreement.form_reference
    if form is None:
        return (
            "it names no form of agreement (it was recorded before agreements named their "
            "form); record the form it was made on (`provider agree` again with --form) and "
            "the board's approval of that form"
        )
    approvals = approvals_of_form(list(form_approvals), form)
    of_its_kind = [a for a in approvals if a.agreement_kind == agreement.kind]
    if any(approval.approved_on <= day for approval in of_its_kind):
        return None
    named = f'its form "{form}"'
    if of_its_kind:
        first = of_its_kind[0]
        return (
            f"{named} was approved only on {first.approved_on} (resolution "
            f"{first.resolution_id}), after that day"
        )
    if approvals:
        other = AgreementKind(approvals[0].agreement_kind).label
        return f"{named} was approved as a {other}, not as the agreement's kind"
    return f"{named} was never approved by the board for this fund class"


def _rate_segments_of(cap: ServiceFeeCap) -> list[dict[str, object]]:
    """The cap's rate segments as a fee event stores them."""
    return [
        {
            "start": segment.start,
            "end_exclusive": segment.end_exclusive,
            "rate_annual": segment.rate_annual,
            "days_in_year": segment.days_in_year,
            "net_assets_sum": segment.net_assets_sum,
        }
        for segment in cap.segments
    ]
