"""The composition root: for a database URL and an actor, the store, the read side and the use
cases of one ledger, built once and complete (nothing is set on them afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from adapters.application.accruals import AccrualUseCases
from adapters.application.audit import AuditUseCases
from adapters.application.figures import FigureImports
from adapters.application.fund_governance import FundGovernanceUseCases
from adapters.application.governance import BoardUseCases
from adapters.application.payments import PaymentUseCases
from adapters.application.plan import PlanUseCases
from adapters.application.ports import Ports
from adapters.readside.read_models import ReadModels, read_model_engine
from adapters.readside.view import LedgerView
from adapters.store.persistence import LedgerStore, open_store


@dataclass(frozen=True)
class Ledger:
    """One ledger: what it stores, how it is read (`view`, as it is now), and its use cases,
    grouped by capability. Each use case takes one command (application/commands.py); `ports`
    are what they share (the store, the view, the actor)."""

    store: LedgerStore
    read_models: ReadModels
    view: LedgerView
    ports: Ports
    plans: PlanUseCases
    figures: FigureImports
    accruals: AccrualUseCases
    payments: PaymentUseCases
    boards: BoardUseCases
    fund_governance: FundGovernanceUseCases
    audit: AuditUseCases

    def close(self) -> None:
        self.read_models.close()
        self.store.close()


def compose(database_url: str, actor: str, *, create: bool = False) -> Ledger:
    """The ledger at `database_url`, acting as `actor`. Only `create` (for the commands that
    start a ledger: `init`, `plan load`) makes one where there is none.

    Raises:
        MissingLedgerError: no ledger there, and `create` is false.
    """
    store = open_store(database_url, create)
    try:
        read_models = ReadModels(store, read_model_engine(database_url))
    except BaseException:
        store.close()
        raise
    view = LedgerView(store, read_models)
    ports = Ports(store, view, actor)
    return Ledger(
        store=store,
        read_models=read_models,
        view=view,
        ports=ports,
        plans=PlanUseCases(ports),
        figures=FigureImports(ports),
        accruals=AccrualUseCases(ports),
        payments=PaymentUseCases(ports),
        boards=BoardUseCases(ports),
        fund_governance=FundGovernanceUseCases(ports),
        audit=AuditUseCases(ports),
    )


@contextmanager
def opened(database_url: str, actor: str, *, create: bool = False) -> Iterator[Ledger]:
    """`compose`, closed when the block ends."""
    ledger = compose(database_url, actor, create=create)
    try:
        yield ledger
    finally:
        ledger.close()
