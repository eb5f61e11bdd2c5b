"""The ledger's use cases: load, check, decide, save. Each is all-or-nothing.

Every use case reads the aggregates it needs, lets the domain check and decide, and saves the
changed aggregates in one `save()` (one transaction). Checks that span many rows or many fund
classes run to the end first and report every problem, so a refused command writes nothing.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from adapters.application.audit import AuditUseCases
from adapters.application.governance import GovernanceUseCases
from adapters.application.summaries import ImportSummary, import_summary, violation_at_row
from adapters.inputs.csv_files import (
    CsvFile,
    ExpenditureRow,
    NetAssetsRow,
    PositionRow,
    read_csv,
)
from adapters.inputs.errors import InputError, InputProblem
from adapters.inputs.plan_file import read_plan_file
from adapters.store.persistence import LedgerStore
from domain.errors import RuleViolation, RuleViolations, UnknownFundClassError
from domain.events import Provenance
from domain.expenditures import Performer, Purpose
from domain.fund_class import AccrualPlan, AccrualRunSummary, FundClass
from domain.ids import fund_class_id, fund_class_key, plan_instrument_id, service_arrangement_id
from domain.instrument import PlanInstrument, terms_digest
from domain.periods import Period
from domain.plan import PlanTerms, find_plan_violations
from domain.registry import REGISTRY_ID, Registry
from domain.service import AgreementKind, ServiceArrangement
from domain.service_fees import ServiceFeeCap

Progress = Callable[[int, int], None]
T = TypeVar("T")

# Bulk commands write at most about this many events per transaction, once every check passed.
WRITE_BATCH_EVENTS = 10_000


@dataclass(frozen=True)
class PlanLoadSummary:
    plan_key: str
    document_sha256: str
    fund_classes: list[str]
    created: bool


def _no_progress(done: int, total: int) -> None:
    return None


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector during a bulk command.

    A bulk import or accrual run keeps hundreds of thousands of acyclic objects (rows, events)
    alive until they are saved; each full collection would scan them all again, for nothing:
    reference counting frees them. The collector is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class BatchedWriter:
    """Saves the aggregates a bulk command changes, in transactions of bounded size.

    A bulk command calls `changed(aggregate)` after each command on an aggregate; once the
    pending events reach `WRITE_BATCH_EVENTS`, every changed aggregate is saved together. It
    is used only after every check of the command has passed, so a refusal writes nothing; a
    run cut short between batches is completed by running the same command again, because
    recorded rows and accrued days are never recorded twice. (One statement with hundreds of
    thousands of events also stalls the PostgreSQL driver, which is why there is a bound.)
    """

    def __init__(self, store: LedgerStore, limit_events: int = WRITE_BATCH_EVENTS) -> None:
        self.store = store
        self.limit_events = limit_events
        self.pending: dict[UUID, Any] = {}
        self.pending_counts: dict[UUID, int] = {}
        self.pending_total = 0

    def changed(self, aggregate: Any) -> None:
        count = len(aggregate.pending_events)
        self.pending_total += count - self.pending_counts.get(aggregate.id, 0)
        self.pending_counts[aggregate.id] = count
        self.pending[aggregate.id] = aggregate
        if self.pending_total >= self.limit_events:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.save(*self.pending.values())
        self.pending, self.pending_counts, self.pending_total = {}, {}, 0


def bulk(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def with_gc_paused(*args: Any, **kwargs: Any) -> T:
        with cyclic_gc_paused():
            return method(*args, **kwargs)

    return with_gc_paused


class Ledger(AuditUseCases, GovernanceUseCases):
    """The use cases of one ledger, acting as one actor.

    A ledger made by `as_known_at(position)` reads every aggregate as it stood at that log
    position and refuses to write (docs/audit.md §1).
    """

    def __init__(self, store: LedgerStore, actor: str, known_position: int | None = None) -> None:
        self.store = store
        self.actor = actor
        self.known_position = known_position
        self.read_models: Any = None  # set by the command line, which keeps them current

    def provenance(self, source: str) -> Provenance:
        if self.known_position is not None:
            raise RuntimeError("a ledger read as known at a past position cannot record")
        return Provenance(self.actor, source)

    # ---- reading aggregates -----------------------------------------------------------------

    def load(self, aggregate_id: UUID) -> Any:
        """The aggregate, as known at this ledger's position (now, if it has none).

        Raises:
            AggregateNotFoundError: no such aggregate (or not yet, at the position).
        """
        if self.known_position is None:
            return self.store.repository.get(aggregate_id)
        version = self.store.version_at(aggregate_id, self.known_position)
        if version is None:
            raise AggregateNotFoundError(aggregate_id)
        return self.store.repository.get(aggregate_id, version=version)

    def registry(self) -> Registry | None:
        try:
            return self.load(REGISTRY_ID)
        except AggregateNotFoundError:
            return None

    def _registry_or_open(self, opened_on: date) -> Registry:
        registry = self.registry()
        return registry or Registry.open(opened_on, self.provenance("command:plan load"))

    def fund_class_keys(self) -> list[str]:
        registry = self.registry()
        return sorted(registry.fund_classes) if registry else []

    def fund_class(self, fund_code: str, share_class: str) -> FundClass:
        try:
            return self.load(fund_class_id(fund_code, share_class))
        except AggregateNotFoundError:
            key = fund_class_key(fund_code, share_class)
            raise UnknownFundClassError(
                f"unknown fund class {key}: load the plan that adopts it first"
            ) from None

    def fund_classes(self) -> list[FundClass]:
        return [self.fund_class(*key.split("/", 1)) for key in self.fund_class_keys()]

    def arrangement(
        self, provider_code: str, fund_code: str, share_class: str
    ) -> ServiceArrangement:
        try:
            return self.load(service_arrangement_id(provider_code, fund_code, share_class))
        except AggregateNotFoundError:
            raise UnknownFundClassError(
                f"no service agreement recorded for provider {provider_code} on "
                f"{fund_class_key(fund_code, share_class)}"
            ) from None

    def arrangements(self) -> list[ServiceArrangement]:
        registry = self.registry()
        if registry is None:
            return []
        return [
            self.arrangement(provider, *key.split("/", 1))
            for provider, keys in sorted(registry.service_arrangements.items())
            for key in keys
        ]

    def stream(self, aggregate_id: UUID) -> Iterator[Any]:
        if self.known_position is None:
            return iter(self.store.events.get(aggregate_id))
        version = self.store.version_at(aggregate_id, self.known_position)
        return iter(self.store.events.get(aggregate_id, lte=version) if version else [])

    # ---- the plan ---------------------------------------------------------------------------

    def load_plan(self, path: Path) -> PlanLoadSummary:
        """Record a plan file as events; loading the same file again changes nothing.

        Raises:
            InputError: the file is malformed.
            RuleViolation(s): the terms break a rule, or conflict with what is recorded.
        """
        terms, document = read_plan_file(path)
        violations = find_plan_violations(terms)
        if violations:
            raise RuleViolations(violations)
        keys = [fund_class_key(fund.fund_code, terms.share_class) for fund in terms.funds]
        source = f"{terms.document_name} sha256:{terms.document_sha256[:16]}"
        loaded = self._plan_already_loaded(terms)
        if loaded is not None:
            if not loaded.documents_filed:  # a ledger from before documents were kept
                self._file_documents(loaded, terms, path, document, self.provenance(source))
                self.store.save(loaded)
            return PlanLoadSummary(terms.plan_key, terms.document_sha256, keys, created=False)
        registry = self._registry_or_open(terms.effective_date)
        self._check_no_other_plan(registry, terms)
        provenance = self.provenance(source)
        instrument = PlanInstrument.record(terms, provenance)
        self._file_documents(instrument, terms, path, document, provenance)
        fund_classes = [FundClass.adopt(terms, fund, provenance) for fund in terms.funds]
        for fund in terms.funds:
            registry.register_fund_class(
                fund.fund_code,
                terms.share_class,
                terms.document_sha256,
                terms.effective_date,
                provenance,
            )
        self.store.save(instrument, registry, *fund_classes)
        return PlanLoadSummary(terms.plan_key, terms.document_sha256, keys, created=True)

    @staticmethod
    def _file_documents(
        instrument: PlanInstrument,
        terms: PlanTerms,
        path: Path,
        document: bytes,
        provenance: Provenance,
    ) -> None:
        instrument.file_documents(
            document_name=terms.document_name,
            document=document,
            plan_file_name=path.name,
            plan_file_text=path.read_text(encoding="utf-8"),
            provenance=provenance,
        )

    def _plan_already_loaded(self, terms: PlanTerms) -> PlanInstrument | None:
        try:
            instrument = self.store.repository.get(plan_instrument_id(terms.document_sha256))
        except AggregateNotFoundError:
            return None
        if instrument.terms_digest != terms_digest(terms):
            raise RuleViolation(
                "plan-terms-changed",
                "TWELFTH (amendments are approved, not reloaded)",
                f"plan document {terms.document_sha256[:16]} was loaded with other terms; a "
                f"change to Schedule A or B is an amendment, not a new load",
            )
        return instrument

    def _check_no_other_plan(self, registry: Registry, terms: PlanTerms) -> None:
        conflicts = [
            RuleViolation(
                "fund-class-plan-conflict",
                "Schedule A",
                f"{fund_class_key(fund.fund_code, terms.share_class)} is already adopted under "
                f"plan document {registry.fund_classes[key][:16]}",
            )
            for fund in terms.funds
            if (key := fund_class_key(fund.fund_code, terms.share_class)) in registry.fund_classes
        ]
        if conflicts:
            raise RuleViolations(conflicts)

    # ---- net assets -------------------------------------------------------------------------

    @bulk
    def import_net_assets(
        self, path: Path, restatement_reason: str | None = None, progress: Progress = _no_progress
    ) -> ImportSummary:
        """Record a file of daily class net assets: every row or none.

        Raises:
            InputError: malformed rows, unknown fund classes, conflicting duplicate rows.
            RuleViolations: changed figures without a restatement reason.
        """
        csv_file = read_csv(path, NetAssetsRow)
        rows = self._unique_rows(csv_file, lambda record: (record.fund, record.share_class))
        fund_classes = self._fund_classes_for(csv_file, rows)
        return self._import_figures(
            csv_file,
            rows,
            owner=lambda record: fund_classes[(record.fund, record.share_class)],
            check=lambda owner, record: owner.check_net_assets(record.date, record.net_assets),
            record=lambda owner, record, provenance: owner.record_net_assets(
                record.date, record.net_assets, provenance, restatement_reason
            ),
            rule=("net-assets-restatement-required", "SECOND, Schedule B"),
            is_restatement=restatement_reason is not None,
            progress=progress,
        )

    def _import_figures(
        self,
        csv_file: CsvFile[Any],
        rows: list[Any],
        *,
        owner: Callable[[Any], Any],
        check: Callable[[Any, Any], str | None],
        record: Callable[[Any, Any, Provenance], str],
        rule: tuple[str, str],
        is_restatement: bool,
        progress: Progress,
    ) -> ImportSummary:
        """Record dated figures (net assets, positions) once every row has passed its check."""
        if not is_restatement:
            violations = [
                RuleViolation(
                    *rule,
                    f"{csv_file.name} row {numbered.row}: {problem}; import it as a restatement "
                    f"with a reason",
                )
                for numbered in rows
                if (problem := check(owner(numbered.record), numbered.record))
            ]
            if violations:
                raise RuleViolations(violations)
        outcomes = []
        writer = BatchedWriter(self.store)
        for index, numbered in enumerate(rows):
            aggregate = owner(numbered.record)
            source = csv_file.source(numbered.row, numbered.record.source_reference)
            outcomes.append(record(aggregate, numbered.record, self.provenance(source)))
            writer.changed(aggregate)
            progress(index + 1, len(rows))
        writer.flush()
        return import_summary(csv_file, outcomes)

    def _unique_rows(
        self, csv_file: CsvFile[Any], owner: Callable[[Any], tuple[str, ...]]
    ) -> list[Any]:
        """Drop exact repeats of a row; refuse two different figures for one owner and date."""
        first_by_key: dict[tuple[Any, ...], Any] = {}
        unique = []
        problems = []
        for numbered in csv_file.rows:
            key = (*owner(numbered.record), numbered.record.date)
            first = first_by_key.get(key)
            if first is None:
                first_by_key[key] = numbered
                unique.append(numbered)
            elif first.record.net_assets != numbered.record.net_assets:
                problems.append(
                    InputProblem(
                        csv_file.name,
                        numbered.row,
                        "net_assets",
                        f"{numbered.record.net_assets} contradicts {first.record.net_assets} "
                        f"on row {first.row} for the same {'/'.join(key[:-1])} and date",
                    )
                )
        if problems:
            raise InputError(problems)
        return unique

    def _fund_classes_for(
        self, csv_file: CsvFile[Any], rows: Iterable[Any]
    ) -> dict[tuple[str, str], FundClass]:
        wanted: dict[tuple[str, str], int] = {}
        for numbered in rows:
            wanted.setdefault((numbered.record.fund, numbered.record.share_class), numbered.row)
        known = set(self.fund_class_keys())
        problems = [
            InputProblem(
                csv_file.name,
                row,
                "fund",
                f"unknown fund class {fund_class_key(*key)}: load the plan that adopts it first",
            )
            for key, row in wanted.items()
            if fund_class_key(*key) not in known
        ]
        if problems:
            raise InputError(problems)
        return {key: self.fund_class(*key) for key in wanted}

    # ---- accruals ---------------------------------------------------------------------------

    @bulk
    def accrue(
        self,
        through: date,
        *,
        max_carry_days: int,
        fund_classes: list[str] | None = None,
        progress: Progress = _no_progress,
    ) -> list[AccrualRunSummary]:
        """Accrue every fund class (or the ones named, as `FUND/CLASS`) through `through`.

        Every class is checked for missing net assets before anything is written; then the
        classes are accrued and saved in batches (each batch one transaction). A run that is
        interrupted is completed by running it again: accrued days are never accrued twice.

        Raises:
            RuleViolations: net assets are missing for one or more classes.
        """
        keys = self.fund_class_keys()
        if fund_classes is not None:
            unknown = sorted(set(fund_classes) - set(keys))
            if unknown:
                raise UnknownFundClassError(f"unknown fund class {', '.join(unknown)}")
            keys = [key for key in keys if key in fund_classes]
        prime_rate_on = self.prime_rate_lookup()
        planned: list[tuple[FundClass, AccrualPlan]] = []
        missing: list[RuleViolation] = []
        for key in keys:
            fund_class = self.fund_class(*key.split("/", 1))
            try:
                plan = fund_class.plan_accrual(
                    through, max_carry_days=max_carry_days, prime_rate_on=prime_rate_on
                )
            except RuleViolation as error:
                missing.append(error)
                continue
            planned.append((fund_class, plan))
        if missing:
            raise RuleViolations(missing)
        provenance = self.provenance(f"command:accrue --through {through}")
        summaries = []
        writer = BatchedWriter(self.store)
        for index, (fund_class, plan) in enumerate(planned):
            summaries.append(fund_class.accrue(plan, provenance, prime_rate_on=prime_rate_on))
            writer.changed(fund_class)
            progress(index + 1, len(planned))
        writer.flush()
        return summaries

    # ---- the Distributor --------------------------------------------------------------------

    def pay_distributor(
        self,
        *,
        fund_code: str,
        share_class: str,
        amount: Decimal | None,
        paid_on: date,
        period: Period,
        reference: str,
        advance_reason: str | None,
    ) -> tuple[str, Decimal]:
        """Record a payment to the Distributor; `amount=None` pays what the period accrued.

        Returns:
            The outcome (recorded or unchanged) and the amount.
        """
        fund_class = self.fund_class(fund_code, share_class)
        if amount is None:
            amount = fund_class.accrued_unpaid_in(period)
            if amount <= 0:
                raise RuleViolation(
                    "nothing-accrued",
                    "SECOND",
                    f"{fund_class.key}: nothing accrued and unpaid for {period.label()}",
                )
        outcome = fund_class.pay_distributor(
            amount=amount,
            paid_on=paid_on,
            period=period,
            reference=reference,
            provenance=self.provenance("command:pay distributor"),
            advance_reason=advance_reason,
        )
        self.store.save(fund_class)
        return outcome, amount

    # ---- service providers ------------------------------------------------------------------

    def sign_provider_agreement(
        self,
        *,
        provider_code: str,
        provider_name: str,
        fund_code: str,
        share_class: str,
        reference: str,
        kind: AgreementKind,
        contractual_rate_annual: Decimal,
        effective_from: date,
        effective_to: date | None,
        agency_capacity_attested: bool,
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        provenance = self.provenance("command:provider agree")
        to_save: list[Any] = []
        try:
            arrangement = self.arrangement(provider_code, fund_code, share_class)
        except UnknownFundClassError:
            arrangement = ServiceArrangement.open(
                provider_code=provider_code,
                provider_name=provider_name,
                fund_code=fund_code,
                share_class=share_class,
                opened_on=effective_from,
                provenance=provenance,
            )
            registry = self._registry_or_open(effective_from)
            registry.register_service_arrangement(
                provider_code, fund_code, share_class, effective_from, provenance
            )
            to_save.append(registry)
        outcome = arrangement.sign_agreement(
            reference=reference,
            kind=kind,
            contractual_rate_annual=contractual_rate_annual,
            effective_from=effective_from,
            effective_to=effective_to,
            agency_capacity_attested=agency_capacity_attested,
            schedule_b_service_rate_lowest=fund_class.service_rate_max_lowest_during(
                effective_from, effective_to
            ),
            provenance=provenance,
        )
        self.store.save(arrangement, *to_save)
        return outcome

    @bulk
    def import_positions(
        self, path: Path, restatement_reason: str | None = None, progress: Progress = _no_progress
    ) -> ImportSummary:
        """Record a file of provider positions: every row or none (as for net assets)."""
        csv_file = read_csv(path, PositionRow)
        rows = self._unique_rows(
            csv_file, lambda record: (record.provider, record.fund, record.share_class)
        )
        arrangements = self._arrangements_for(csv_file, rows)
        return self._import_figures(
            csv_file,
            rows,
            owner=lambda record: arrangements[_position_owner(record)],
            check=lambda owner, record: owner.check_position(record.date, record.net_assets),
            record=lambda owner, record, provenance: owner.record_position(
                record.date, record.net_assets, provenance, restatement_reason
            ),
            rule=("provider-position-restatement-required", "SEVENTH"),
            is_restatement=restatement_reason is not None,
            progress=progress,
        )

    def _arrangements_for(
        self, csv_file: CsvFile[PositionRow], rows: Iterable[Any]
    ) -> dict[tuple[str, str, str], ServiceArrangement]:
        wanted: dict[tuple[str, str, str], int] = {}
        for numbered in rows:
            wanted.setdefault(_position_owner(numbered.record), numbered.row)
        registry = self.registry()
        problems = [
            InputProblem(
                csv_file.name,
                row,
                "provider",
                f"no service agreement recorded for provider {owner[0]} on "
                f"{fund_class_key(owner[1], owner[2])}",
            )
            for owner, row in wanted.items()
            if registry is None
            or not registry.has_service_arrangement(owner[0], fund_class_key(owner[1], owner[2]))
        ]
        if problems:
            raise InputError(problems)
        return {owner: self.arrangement(*owner) for owner in wanted}

    def service_fee_cap(
        self,
        provider_code: str,
        fund_code: str,
        share_class: str,
        period: Period,
        *,
        max_carry_days: int,
    ) -> ServiceFeeCap:
        fund_class = self.fund_class(fund_code, share_class)
        arrangement = self.arrangement(provider_code, fund_code, share_class)
        return arrangement.service_fee_cap(
            period, fund_class.service_rate_max_on, max_carry_days=max_carry_days
        )

    def pay_provider(
        self,
        *,
        provider_code: str,
        fund_code: str,
        share_class: str,
        period: Period,
        amount: Decimal | None,
        paid_on: date,
        reference: str,
        paid_or_advanced: str,
        max_carry_days: int,
    ) -> tuple[str, Decimal, ServiceFeeCap]:
        """Record a service fee to a provider; `amount=None` pays what the cap leaves."""
        fund_class = self.fund_class(fund_code, share_class)
        arrangement = self.arrangement(provider_code, fund_code, share_class)
        cap = arrangement.service_fee_cap(
            period, fund_class.service_rate_max_on, max_carry_days=max_carry_days
        )
        if amount is None:
            amount = cap.cap_amount - arrangement.paid_for(period)
            if amount <= 0:
                raise RuleViolation(
                    "service-fee-cap",
                    "SEVENTH",
                    f"{arrangement.key}: the cap for {period.label()} is already paid",
                )
        outcome = arrangement.pay_service_fee(
            amount=amount,
            paid_on=paid_on,
            cap=cap,
            reference=reference,
            paid_or_advanced=paid_or_advanced,
            provenance=self.provenance("command:pay provider"),
        )
        self.store.save(arrangement)
        return outcome, amount, cap

    # ---- expenditures -----------------------------------------------------------------------

    def record_expenditure(
        self,
        *,
        fund_code: str,
        share_class: str,
        incurred_on: date,
        period: Period,
        purpose: Purpose,
        performer: Performer,
        performer_name: str,
        amount: Decimal,
        description: str,
        reference: str,
        company_agreement_reference: str,
        source: str = "command:expenditure record",
    ) -> str:
        fund_class = self.fund_class(fund_code, share_class)
        outcome = fund_class.record_expenditure(
            incurred_on=incurred_on,
            period=period,
            purpose=purpose,
            performer=performer,
            performer_name=performer_name,
            amount=amount,
            description=description,
            reference=reference,
            company_agreement_reference=company_agreement_reference,
            provenance=self.provenance(source),
        )
        self.store.save(fund_class)
        return outcome

    def import_expenditures(self, path: Path) -> ImportSummary:
        """Record a file of FIFTH expenditures: every row or none."""
        csv_file = read_csv(path, ExpenditureRow)
        fund_classes = self._fund_classes_for(csv_file, csv_file.rows)
        outcomes = []
        violations = []
        for numbered in csv_file.rows:
            record = numbered.record
            try:
                outcomes.append(
                    fund_classes[(record.fund, record.share_class)].record_expenditure(
                        incurred_on=record.incurred_on,
                        period=record.parsed_period,
                        purpose=record.purpose,
                        performer=record.performer,
                        performer_name=record.performer_name,
                        amount=record.amount,
                        description=record.description,
                        reference=record.reference,
                        company_agreement_reference=record.company_agreement_reference,
                        provenance=self.provenance(csv_file.source(numbered.row)),
                    )
                )
            except RuleViolation as violation:
                violations.append(violation_at_row(csv_file.name, numbered.row, violation))
        if violations:
            raise RuleViolations(violations)
        self.store.save(*fund_classes.values())
        return import_summary(csv_file, outcomes)


def _position_owner(record: PositionRow) -> tuple[str, str, str]:
    return record.provider, record.fund, record.share_class
