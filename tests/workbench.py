"""The workbench's test ledger and server, shared by tests/integration/test_web.py and the
browser tests (tests/browser/): the recorded, issued quarter of tests/integration/scenario.py,
a week of restated net assets, and a payment reversed by an actor whose name and reason are
shaped like HTML and script (they must show inert)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

from freezegun import freeze_time

from adapters.application.commands import ReverseDistributorPayment
from adapters.application.compose import compose
from adapters.web.opening import ReadOnlyLedger, open_read_only
from tests.integration.scenario import restate_week

HOSTILE_ACTOR = "<script>alert('actor')</script><b>Mallory</b>"
HOSTILE_REASON = '<img src=x onerror="alert(1)"><script>alert(1)</script> & "quoted"'
REVERSED_AT = "2003-11-10 12:00:00"
RECONCILED_AT = "2003-11-12 12:00:00"
JULY_3 = date(2003, 7, 3)
# Before the restatement (2003-11-03) and the reversal: the ledger as the issued report saw it.
BEFORE_CORRECTIONS = datetime(2003, 10, 20, tzinfo=UTC)
TODAY = date(2004, 1, 31)


def build_workbench_ledger(quarter, tmp_path, database_url: str) -> None:
    """The scenario's quarter, restated and with September's payment reversed."""
    ledger, _ = quarter
    restate_week(ledger, tmp_path)
    hostile = compose(database_url, actor=HOSTILE_ACTOR)
    try:
        with freeze_time(REVERSED_AT):
            hostile.audit.reverse_distributor_payment(
                ReverseDistributorPayment("INTL-BCV", "R", "WIRE-2003-09", HOSTILE_REASON)
            )
            hostile.read_models.catch_up()
    finally:
        hostile.close()
    reconcile_with_a_break(ledger, tmp_path)
    ledger.read_models.catch_up()


def reconcile_with_a_break(ledger, tmp_path) -> None:
    """The fund's books as the ledger's accruals but for July 3rd, held against the ledger."""
    from adapters.application.reconciliation import ImportStatement, RunReconciliation
    from adapters.inputs.statements import read_fund_books
    from adapters.readside import reconciliation as reads
    from domain.periods import parse_period
    from domain.reconciliation.records import StatementKind
    from tests.reconcile_builders import books_csv

    daily, _ = reads.ledger_accruals(ledger.view)
    figures = {key: figure.amount for key, figure in daily.items()}
    changed = {("INTL-BCV/R", JULY_3): figures[("INTL-BCV/R", JULY_3)] + Decimal("1.00")}
    with freeze_time(RECONCILED_AT):
        books = read_fund_books(books_csv(tmp_path / "books.csv", figures, changed))
        ledger.reconciliation.import_statement(ImportStatement(StatementKind.FUND_BOOKS, books))
        ledger.reconciliation.run(
            RunReconciliation(parse_period("2003Q3"), Decimal("0.01"), 3, date(2003, 11, 12))
        )


@contextmanager
def auditor_url(database_url: str) -> Iterator[str]:
    """The URL the workbench serves from: the file itself on SQLite; on PostgreSQL an auditor
    role of its own (`db init-roles`), dropped afterwards (roles are the server's)."""
    if not database_url.startswith("postgresql"):
        yield database_url
        return
    import io

    from adapters.cli.main import main

    suffix = uuid.uuid4().hex[:8]
    writer, auditor = f"pl_web_writer_{suffix}", f"pl_web_auditor_{suffix}"
    out = io.StringIO()
    code = main(
        ["--db", database_url, "db", "init-roles", "--writer", writer, "--auditor", auditor],
        out=out,
        err=out,
    )
    assert code == 0, out.getvalue()
    try:
        yield database_url.replace("postgres@", f"{auditor}@", 1)
    finally:
        _drop_roles(database_url, [writer, auditor])


def _drop_roles(database_url: str, roles: list[str]) -> None:
    import psycopg

    from adapters.store.persistence import parse_database_url, psycopg_conninfo

    conninfo = psycopg_conninfo(parse_database_url(database_url))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for role in roles:
            connection.execute(f'DROP OWNED BY "{role}"')
            connection.execute(f'DROP ROLE "{role}"')


@contextmanager
def read_only(database_url: str) -> Iterator[ReadOnlyLedger]:
    with auditor_url(database_url) as url:
        opened = open_read_only(url)
        try:
            yield opened
        finally:
            opened.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app) -> Iterator[str]:
    """`app` served by uvicorn on 127.0.0.1 at a free port, in a thread; stopped at the end."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def wait_for_port(port: int, seconds: float = 20) -> None:
    """Until a server accepts connections on 127.0.0.1:`port`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port}"
            time.sleep(0.05)
