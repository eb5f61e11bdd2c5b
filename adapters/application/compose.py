"""The composition root: for a database URL and an actor, the store, the read side and the use
cases of one ledger."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from adapters.application.ports import Ports
from adapters.readside.read_models import ReadModels, read_model_engine
from adapters.readside.view import LedgerView
from adapters.store.persistence import LedgerStore, open_store

if TYPE_CHECKING:
    from adapters.application.accruals import AccrualUseCases
    from adapters.application.audit import AuditUseCases
    from adapters.application.figures import FigureImports
    from adapters.application.fund_governance import FundGovernanceUseCases
    from adapters.application.governance import BoardUseCases
    from adapters.application.payments import PaymentUseCases
    from adapters.application.plan import PlanUseCases
    from adapters.application.reconciliation import ReconciliationUseCases


class Ledger:
    """One ledger: what it stores, how it is read (`view`, as it is now), and its use cases,
    grouped by capability. Each use case takes one command (application/commands.py); `ports`
    are what they share (the store, the view, the actor).

    A group of use cases is built (and its module loaded) when first asked for, so a command
    that only reads loads none of them: start-up is most of a read command's time.
    """

    def __init__(
        self, store: LedgerStore, read_models: ReadModels, view: LedgerView, ports: Ports
    ) -> None:
        self.store = store
        self.read_models = read_models
        self.view = view
        self.ports = ports

    @cached_property
    def plans(self) -> PlanUseCases:
        from adapters.application.plan import PlanUseCases

        return PlanUseCases(self.ports)

    @cached_property
    def figures(self) -> FigureImports:
        from adapters.application.figures import FigureImports

        return FigureImports(self.ports)

    @cached_property
    def accruals(self) -> AccrualUseCases:
        from adapters.application.accruals import AccrualUseCases

        return AccrualUseCases(self.ports)

    @cached_property
    def payments(self) -> PaymentUseCases:
        from adapters.application.payments import PaymentUseCases

        return PaymentUseCases(self.ports)

    @cached_property
    def boards(self) -> BoardUseCases:
        from adapters.application.governance import BoardUseCases

        return BoardUseCases(self.ports)

    @cached_property
    def fund_governance(self) -> FundGovernanceUseCases:
        from adapters.application.fund_governance import FundGovernanceUseCases

        return FundGovernanceUseCases(self.ports)

    @cached_property
    def audit(self) -> AuditUseCases:
        from adapters.application.audit import AuditUseCases

        return AuditUseCases(self.ports)

    @cached_property
    def reconciliation(self) -> ReconciliationUseCases:
        from adapters.application.reconciliation import ReconciliationUseCases

        return ReconciliationUseCases(self.ports)

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
    return Ledger(store, read_models, view, Ports(store, view, actor))


@contextmanager
def opened(database_url: str, actor: str, *, create: bool = False) -> Iterator[Ledger]:
    """`compose`, closed when the block ends."""
    ledger = compose(database_url, actor, create=create)
    try:
        yield ledger
    finally:
        ledger.close()
