"""Loading a plan file: the instrument, its documents, the registry and each fund class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventsourcing.application import AggregateNotFoundError

from adapters.application.commands import LoadPlan
from adapters.application.ports import Ports
from domain.errors import RuleViolation, RuleViolations
from domain.events import Provenance
from domain.fund_class import FundClass
from domain.ids import fund_class_key, plan_instrument_id
from domain.instrument import PlanInstrument, terms_digest
from domain.plan import PlanTerms, find_plan_violations
from domain.registry import Registry

if TYPE_CHECKING:
    from adapters.inputs.plan_file import PlanFileContents


@dataclass(frozen=True)
class PlanLoadSummary:
    plan_key: str
    document_sha256: str
    fund_classes: list[str]
    created: bool


@dataclass(frozen=True)
class PlanUseCases:
    ports: Ports

    def load_plan(self, command: LoadPlan) -> PlanLoadSummary:
        """Record a plan file as events; loading the same file again changes nothing.

        Raises:
            RuleViolation(s): the terms break a rule, or conflict with what is recorded.
        """
        plan = command.plan
        terms = plan.terms
        violations = find_plan_violations(terms)
        if violations:
            raise RuleViolations(violations)
        keys = [fund_class_key(fund.fund_code, terms.share_class) for fund in terms.funds]
        source = f"{terms.document_name} sha256:{terms.document_sha256[:16]}"
        loaded = self._plan_already_loaded(terms)
        if loaded is not None:
            if not loaded.documents_filed:  # a ledger from before documents were kept
                _file_documents(loaded, plan, self.ports.provenance(source))
                self.ports.save(loaded)
            return PlanLoadSummary(terms.plan_key, terms.document_sha256, keys, created=False)
        registry = self.ports.registry_or_open(terms.effective_date)
        _check_no_other_plan(registry, terms)
        provenance = self.ports.provenance(source)
        instrument = PlanInstrument.record(terms, provenance)
        _file_documents(instrument, plan, provenance)
        fund_classes = [FundClass.adopt(terms, fund, provenance) for fund in terms.funds]
        for fund in terms.funds:
            registry.register_fund_class(
                fund.fund_code,
                terms.share_class,
                terms.document_sha256,
                terms.effective_date,
                provenance,
            )
        self.ports.save(instrument, registry, *fund_classes)
        return PlanLoadSummary(terms.plan_key, terms.document_sha256, keys, created=True)

    def _plan_already_loaded(self, terms: PlanTerms) -> PlanInstrument | None:
        try:
            instrument: PlanInstrument = self.ports.store.repository.get(
                plan_instrument_id(terms.document_sha256)
            )
        except AggregateNotFoundError:
            return None
        if instrument.terms_digest != terms_digest(terms):
            raise RuleViolation(
                "plan-terms-changed",
                "TWELFTH (amendments are approved, not reloaded)",
                f"plan document {terms.document_sha256[:16]} was loaded with other terms; a "
                f"change to Schedule A or B is an amendment, not a new load",
            )
        if instrument.plan_type != terms.plan_type.value:
            raise RuleViolation(
                "plan-type-changed",
                "Form N-1A Item 19(g); decision Q3",
                f"plan document {terms.document_sha256[:16]} is recorded as a "
                f"{instrument.plan_type} plan; the file says {terms.plan_type.value}: the same "
                f"words are not read as another type by reloading them",
            )
        return instrument


def _file_documents(
    instrument: PlanInstrument, plan: PlanFileContents, provenance: Provenance
) -> None:
    instrument.file_documents(
        document_name=plan.terms.document_name,
        document=plan.document,
        plan_file_name=plan.file_name,
        plan_file_text=plan.file_text,
        provenance=provenance,
    )


def _check_no_other_plan(registry: Registry, terms: PlanTerms) -> None:
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
