"""Reads on a PostgreSQL streaming replica (docs/scaling.md §3, docs/decisions.md S1): at a
--known-at the replica has reached it gives the primary's answer; at one it has not reached
(its replay paused, events written on the primary since) it says so and answers nothing,
rather than answering short.

PostgreSQL only. The replica is a second server on this machine, made with `pg_basebackup -R`
from the test server, on a free port of 127.0.0.1, run as the `postgres` OS user when the test
runs as root (PostgreSQL refuses to run as root), and stopped at the end. The test server must
accept replication connections from 127.0.0.1 (scripts/test.sh adds the pg_hba line). Under
CI=true nothing here may skip.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from adapters.cli.main import main
from adapters.store.persistence import parse_database_url, psycopg_conninfo
from adapters.web.moments import BadQueryError, resolve
from adapters.web.opening import open_read_only
from tests import oracles
from tests.builders import net_assets_csv
from tests.conftest import (
    SHIPPED_PLAN,
    fresh_postgres_schema,
    postgres_base_url,
)
from tests.workbench import auditor_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

DATA = Path(__file__).resolve().parent.parent / "data"
JULY = oracles.JULY_2003_NET_ASSETS
STEP_TIMEOUT_SECONDS = 60  # each of: the base backup, the start, a wait for replay, the stop


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: the replica test must run, but {reason}")
    pytest.skip(reason)


def server_bin(conninfo: str) -> Path:
    """The folder of the server's programs: $PLANLEDGER_PG_BIN, else pg_config's, else
    Debian's layout for the running server's major version."""
    if os.environ.get("PLANLEDGER_PG_BIN"):
        return Path(os.environ["PLANLEDGER_PG_BIN"])
    with psycopg.connect(conninfo, autocommit=True) as connection:
        version = int(connection.execute("SHOW server_version_num").fetchone()[0])
    candidates = [Path(f"/usr/lib/postgresql/{version // 10000}/bin")]
    if shutil.which("pg_config"):
        found = subprocess.run(
            ["pg_config", "--bindir"], check=False, capture_output=True, text=True
        )
        candidates.insert(0, Path(found.stdout.strip()))
    for folder in candidates:
        if (folder / "pg_ctl").is_file() and (folder / "pg_basebackup").is_file():
            return folder
    unavailable(f"no pg_ctl and pg_basebackup in {', '.join(map(str, candidates))}")
    raise AssertionError  # unreachable: unavailable() raises


def as_server_user() -> list[str]:
    """PostgreSQL refuses to run as root: as root, its programs run as `postgres`."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def replica_url(url: str, port: int) -> str:
    """The same database and schema, on the replica's port of 127.0.0.1."""
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


def conninfo_of(url: str) -> str:
    return psycopg_conninfo(parse_database_url(url))


def replication_allowed(conninfo: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as connection:
        rules = connection.execute(
            "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) "
            "AND (address IS NULL OR address = '127.0.0.1')"
        ).fetchone()
    return bool(rules and rules[0])


@pytest.fixture
def primary_url() -> Iterator[str]:
    with fresh_postgres_schema() as url:
        yield url


@pytest.fixture
def replica_port() -> Iterator[int]:
    """A streaming replica of the test server; its port. Stopped and removed at the end."""
    conninfo = conninfo_of(postgres_base_url())
    programs = server_bin(conninfo)
    if not replication_allowed(conninfo):
        unavailable("the server does not accept replication connections (scripts/test.sh)")
    folder = Path(tempfile.mkdtemp(prefix="planledger-replica-"))
    data, port = folder / "data", free_port()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    run_server_program(
        programs / "pg_basebackup", "-d", conninfo, "-D", str(data), "-R", "-X", "stream",
        "-c", "fast",
    )  # fmt: skip
    # pg_basebackup copies no postgresql.conf or pg_hba.conf where the server keeps them
    # elsewhere (Debian): the replica's own, on its port, its socket in its folder.
    settings = (
        f"port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
        "hot_standby = on\n"
    )
    for name, text in (
        ("postgresql.conf", settings),
        ("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"),
    ):
        run_server_program("tee", str(data / name), stdin=text)
    log = folder / "server.log"
    try:
        run_server_program(
            programs / "pg_ctl", "-D", str(data), "-l", str(log), "-w",
            "-t", str(STEP_TIMEOUT_SECONDS), "start", log=log,
        )  # fmt: skip
        yield port
    finally:
        subprocess.run(
            [*as_server_user(), str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate",
             "-w", "-t", str(STEP_TIMEOUT_SECONDS), "stop"],
            check=False, capture_output=True, timeout=STEP_TIMEOUT_SECONDS + 10, cwd=folder,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def run_server_program(
    program: Path | str, *arguments: str, stdin: str | None = None, log: Path | None = None
) -> None:
    done = subprocess.run(
        [*as_server_user(), str(program), *arguments],
        check=False, input=stdin, capture_output=True, text=True,
        timeout=STEP_TIMEOUT_SECONDS + 10, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    logged = log.read_text()[-2000:] if log is not None and log.is_file() else ""
    assert done.returncode == 0, f"{program} failed: {done.stderr}{logged}"


def run(url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "--db", url, "--actor", "replica-test"], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def balances(url: str, known_at: datetime) -> tuple[int, str, str]:
    return run(url, "balances", "--as-of", "2003-08-31", "--format", "json",
               "--known-at", known_at.isoformat())  # fmt: skip


def wait_for_replay(primary: str, replica: str) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    with psycopg.connect(conninfo_of(primary), autocommit=True) as connection:
        written = connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
    with psycopg.connect(conninfo_of(replica), autocommit=True) as connection:
        while not connection.execute(
            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "the replica did not catch up in time"
            time.sleep(0.05)


def on_replica(replica: str, statement: str, until: str | None = None) -> None:
    """Run `statement` on the replica, then wait until `until` is true there."""
    deadline = time.monotonic() + STEP_TIMEOUT_SECONDS
    with psycopg.connect(conninfo_of(replica), autocommit=True) as connection:
        connection.execute(statement)
        while until and not connection.execute(until).fetchone()[0]:
            assert time.monotonic() < deadline, f"not true in time on the replica: {until}"
            time.sleep(0.05)


def accrue_july(primary: str, folder: Path) -> None:
    for argv in (
        ("plan", "load", str(SHIPPED_PLAN)),
        ("board", "directors", str(DATA / "directors.csv")),
        *(("board", "meeting", str(DATA / f"approval-{name}.toml"))
          for name in ("INTL-FUNDS", "TREASURERS-SERIES")),
        ("import", "net-assets", str(net_assets_csv(folder / "july.csv", JULY))),
        ("accrue", "--through", "2003-07-31", "--fund-class", "INTL-BCV/R"),
    ):  # fmt: skip
        code, _, err = run(primary, *argv)
        assert code == 0, err


def test_a_replica_answers_as_the_primary_up_to_where_it_has_reached(
    primary_url, replica_port, tmp_path
):
    replica = replica_url(primary_url, replica_port)
    accrue_july(primary_url, tmp_path)
    with auditor_url(primary_url) as auditor:  # the workbench's read-only role, replicated
        answers_up_to_where_it_has_reached(primary_url, replica, auditor, tmp_path)


def answers_up_to_where_it_has_reached(
    primary_url: str, replica: str, auditor: str, tmp_path: Path
) -> None:
    known_before_payment = datetime.now(UTC)
    code, _, err = run(
        primary_url, "pay", "distributor", "--fund", "INTL-BCV", "--period", "2003-07",
        "--amount", "accrued", "--paid-on", "2003-08-05", "--reference", "WIRE-JULY",
    )  # fmt: skip
    assert code == 0, err
    wait_for_replay(primary_url, replica)

    then = balances(primary_url, known_before_payment)
    assert then[0] == 0, then[2]
    assert balances(replica, known_before_payment)[:2] == then[:2]
    assert balances(replica, datetime.now(UTC))[1] != then[1]  # the payment, replicated

    on_replica(replica, "SELECT pg_wal_replay_pause()",
               until="SELECT pg_get_wal_replay_pause_state() = 'paused'")  # fmt: skip
    before_restatement = balances(primary_url, datetime.now(UTC))
    restated = {day: str(Decimal(value) * 2) for day, value in JULY.items() if day.day <= 3}
    code, _, err = run(
        primary_url, "import", "net-assets", str(net_assets_csv(tmp_path / "again.csv", restated)),
        "--restatement", "--reason", "NAV error",
    )  # fmt: skip
    assert code == 0, err
    known_after_restatement = datetime.now(UTC)
    now = balances(primary_url, known_after_restatement)
    assert now[0] == 0 and now[1] != before_restatement[1]  # a short answer would show

    code, out, err = balances(replica, known_after_restatement)
    assert code == 2 and out == ""
    assert "this database is a replica and has reached" in err
    reached = datetime.fromisoformat(err.split("has reached ")[1].split(" ")[0])
    assert known_before_payment < reached < known_after_restatement
    assert balances(replica, known_before_payment)[:2] == then[:2]  # still answers what it has
    workbench = open_read_only(replica_url(auditor, urlsplit(replica).port or 0))
    try:  # the workbench on the replica: the same rule
        with pytest.raises(BadQueryError, match="this database is a replica and has reached"):
            resolve(workbench, "2003-08-31", known_after_restatement.isoformat(), date.today())
        assert resolve(workbench, "2003-08-31", known_before_payment.isoformat(), date.today())
    finally:
        workbench.close()

    august = net_assets_csv(tmp_path / "august.csv", {date(2003, 8, 1): "1000000.00"})
    code, out, err = run(replica, "import", "net-assets", str(august))  # a write: refused
    assert (code, out) == (2, "") and "a replica (a read-only standby)" in err, err
    assert "internal error" not in err

    on_replica(replica, "SELECT pg_wal_replay_resume()")
    # The replica knows the primary's time from the commits it replays: on an idle primary
    # the last may be before `known_after_restatement` (on a shared server another's may be
    # later), so a commit is made after it, as a heartbeat would (docs/scaling.md).
    beat = heartbeat(primary_url)
    wait_for_replay(primary_url, replica)
    on_replica(replica, "SELECT 1", until=f"SELECT pg_last_xact_replay_timestamp() >= '{beat}'")
    assert balances(replica, known_after_restatement)[:2] == now[:2]


def heartbeat(primary: str) -> str:
    """A transaction with a commit record, and nothing else: its commit time reaches the
    replica with its WAL. Returns a time before that commit, to wait for on the replica."""
    with psycopg.connect(conninfo_of(primary), autocommit=True) as connection:
        row = connection.execute("SELECT pg_current_xact_id(), clock_timestamp()").fetchone()
    return str(row[1].isoformat())
