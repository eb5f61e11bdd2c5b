"""Tamper evidence and append-only storage (docs/audit.md §3), on SQLite and PostgreSQL.

Each test tampers with the database directly, the way someone with the database's password
would (dropping the guard triggers first where the change needs it), and `verify` must name
what was done and where. Updates and deletes through the normal database are refused.
"""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from adapters.application.commands import Accrue, ImportNetAssets, Seal
from adapters.application.compose import compose
from adapters.cli.main import main
from adapters.inputs.csv_files import NetAssetsRow, read_csv
from adapters.store.chain import GENESIS_HASH, StoredContent, chain_hash
from adapters.store.persistence import open_store
from adapters.store.verify import ExternalHead, verify_store
from domain.fund_class import FundClass
from tests.builders import every_day, net_assets_csv
from tests.conftest import PROJECT_ROOT, drop_schema, fresh_postgres_url
from tests.integration.tamper import RawDatabase

ACCRUED = FundClass.FeeAccrued.TOPIC
FIRST_DAY, LAST_DAY = date(2003, 7, 1), date(2003, 12, 31)


@pytest.fixture
def history(loaded_ledger, tmp_path):
    """Half a year of one class's accruals (a snapshot is taken at version 200), then a seal."""
    figures = dict.fromkeys(every_day(FIRST_DAY, LAST_DAY), Decimal("50000000.00"))
    loaded_ledger.figures.import_net_assets(
        ImportNetAssets(read_csv(net_assets_csv(tmp_path / "na.csv", figures), NetAssetsRow))
    )
    loaded_ledger.accruals.accrue(Accrue(LAST_DAY, max_carry_days=4, fund_classes=["INTL-BCV/R"]))
    loaded_ledger.audit.seal(Seal("half-year close", date(2004, 1, 5)))
    return loaded_ledger


@pytest.fixture
def raw(history, store, database_url):
    return RawDatabase(store, database_url)


def findings(store, heads=()):
    result = verify_store(store, heads)
    return result, [(finding.kind, finding.position) for finding in result.findings]


def kinds(found):
    return {kind for kind, _ in found}


def test_an_untouched_store_verifies(history, store):
    result, found = findings(store)
    assert found == []
    assert result.events == result.chain_records == store.head_position()
    assert result.seals == 1  # the half-year close
    assert result.snapshots >= 1
    assert result.true_head_hash == store.chain_head().hash


# ---- the database refuses changes -----------------------------------------------------------


@pytest.mark.parametrize("table", ["events", "chain", "snapshots"])
def test_update_is_refused(raw, table):
    name = getattr(raw, table)
    with pytest.raises((Exception,), match="append-only"):
        raw.execute(f"UPDATE {name} SET originator_version = originator_version + 1000")


@pytest.mark.parametrize("table", ["events", "chain", "snapshots"])
def test_delete_is_refused(raw, table):
    name = getattr(raw, table)
    with pytest.raises((Exception,), match="append-only"):
        raw.execute(f"DELETE FROM {name}")


def test_replacing_a_stored_row_is_refused(raw):
    """`INSERT OR REPLACE` deletes and inserts without firing a DELETE trigger; a trigger on
    INSERT refuses a row that would land on a stored one. (PostgreSQL has no REPLACE; its
    `ON CONFLICT DO UPDATE` fires the UPDATE trigger.)"""
    if raw.is_postgres:
        with pytest.raises(psycopg.Error, match="append-only"):
            raw.execute(
                f"INSERT INTO {raw.chain} SELECT * FROM {raw.chain} LIMIT 1 "
                "ON CONFLICT (position) DO UPDATE SET hash = EXCLUDED.hash"
            )
        return
    position = raw.positions_of_topic(ACCRUED)[5]
    (row,) = raw.execute(
        f"SELECT originator_id, originator_version, topic, state FROM {raw.events} WHERE rowid = ?",
        [position],
    )
    changed = bytes(row[3]).replace(b'"amount":"', b'"amount":"9', 1)
    for statement, params in (
        (
            f"REPLACE INTO {raw.events} (rowid, originator_id, originator_version, topic, state) "
            "VALUES (?, ?, ?, ?, ?)",
            [position, row[0], row[1], row[2], changed],
        ),
        (f"INSERT OR REPLACE INTO {raw.chain} SELECT * FROM {raw.chain} LIMIT 1", []),
        (f"INSERT OR REPLACE INTO {raw.snapshots} SELECT * FROM {raw.snapshots} LIMIT 1", []),
    ):
        with pytest.raises(Exception, match="append-only"):
            raw.execute(statement, params)
    assert raw.state_at(position) == bytes(row[3])


def test_an_event_replaced_by_its_stream_and_version_is_found_where_it_was(raw, store):
    """Without a position of its own, a replaced event lands at the end of the log (the
    trigger lets it through rather than look every insert up); its old place is empty and
    its chain record cannot be replaced, so verify names the position it left."""
    if raw.is_postgres:  # no REPLACE; an ordinary duplicate insert is refused by the key
        with pytest.raises(psycopg.errors.UniqueViolation):
            raw.execute(f"INSERT INTO {raw.events} SELECT * FROM {raw.events} LIMIT 1")
        return
    position = raw.positions_of_topic(ACCRUED)[6]
    (row,) = raw.execute(
        f"SELECT originator_id, originator_version, topic, state FROM {raw.events} WHERE rowid = ?",
        [position],
    )
    changed = bytes(row[3]).replace(b'"amount":"', b'"amount":"9', 1)
    raw.execute(
        f"INSERT OR REPLACE INTO {raw.events} (originator_id, originator_version, topic, state) "
        "VALUES (?, ?, ?, ?)",
        [row[0], row[1], row[2], changed],
    )
    _, found = findings(store)
    assert ("deleted", position) in found
    assert ("inserted", store.head_position()) in found


@pytest.mark.parametrize("position", [-1, -(2**63)], ids=["minus-one", "lowest"])
def test_an_event_stored_below_the_first_position_is_found(raw, store, position):
    """Reads of the log start after position 0; verify must still see a row put before it,
    down to the lowest value the column holds."""
    stream = uuid.uuid4()
    stream_value = str(stream) if raw.is_postgres else stream.hex
    raw.drop_guards()
    raw.execute(
        f"INSERT INTO {raw.events} ({raw.position}, originator_id, originator_version, topic, "
        "state) VALUES (?, ?, 1, ?, ?)",
        [position, stream_value, ACCRUED, b'{"amount":"1000000.00"}'],
    )
    _, found = findings(store)
    assert ("inserted", position) in found


# ---- every kind of tampering is found, with its position -------------------------------------


def test_an_edited_event_is_found_and_breaks_the_later_seal(raw, store):
    position = raw.positions_of_topic(ACCRUED)[10]
    state = raw.state_at(position)
    raw.drop_guards()
    raw.set_state(position, state.replace(b'"amount":"', b'"amount":"9', 1))
    _, found = findings(store)
    assert ("edited", position) in found
    assert "seal-mismatch" in kinds(found)


def test_a_deleted_event_is_found(raw, store):
    position = raw.positions_of_topic(ACCRUED)[20]
    raw.drop_guards()
    raw.execute(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", [position])
    _, found = findings(store)
    assert ("deleted", position) in found


def test_a_deleted_event_and_its_chain_record_break_the_link(raw, store):
    position = raw.positions_of_topic(ACCRUED)[30]
    raw.drop_guards()
    raw.execute(f"DELETE FROM {raw.events} WHERE {raw.position} = ?", [position])
    raw.execute(f"DELETE FROM {raw.chain} WHERE position = ?", [position])
    _, found = findings(store)
    assert ("link-broken", position + 1) in found
    assert "reordered" in kinds(found)  # the stream's versions now have a gap


def test_an_inserted_event_is_found(raw, store):
    stream = uuid.uuid4()
    stream_value = str(stream) if raw.is_postgres else stream.hex
    raw.execute(
        f"INSERT INTO {raw.events} (originator_id, originator_version, topic, state) "
        "VALUES (?, 1, ?, ?)",
        [stream_value, ACCRUED, b'{"amount":"1000000.00"}'],
    )
    _, found = findings(store)
    assert ("inserted", store.head_position()) in found


def test_a_respelled_stream_id_is_found(raw, store):
    """On SQLite the id is text: upper case still parses as the same UUID, so the chain's hash
    would match, but the library looks a stream up by its exact text and the event would drop
    out of its stream."""
    position = raw.positions_of_topic(ACCRUED)[15]
    raw.drop_guards()
    if raw.is_postgres:  # a uuid column has one spelling: the same id comes back
        raw.execute(
            f"UPDATE {raw.events} SET originator_id = upper(originator_id::text)::uuid "
            "WHERE notification_id = ?",
            [position],
        )
        assert findings(store)[1] == []
        return
    raw.execute(
        f"UPDATE {raw.events} SET originator_id = upper(originator_id) WHERE rowid = ?",
        [position],
    )
    _, found = findings(store)
    assert ("edited", position) in found


@pytest.mark.parametrize(
    ("column", "value"),
    [("topic", None), ("state", None), ("originator_version", 0), ("originator_id", "x")],
)
def test_a_row_that_no_longer_decodes_is_reported_not_raised(raw, store, column, value):
    position = raw.positions_of_topic(ACCRUED)[25]
    raw.drop_guards()
    if raw.is_postgres and column == "originator_id":
        raw.execute(f"ALTER TABLE {raw.events} ALTER COLUMN originator_id TYPE text")
    raw.execute(f"UPDATE {raw.events} SET {column} = ? WHERE {raw.position} = ?", [value, position])
    _, found = findings(store)
    assert ("edited", position) in found


def test_two_different_heads_for_one_position_are_refused(history, store):
    head = store.chain_head()
    wrong = ExternalHead(head.position, "f" * 64)
    with pytest.raises(ValueError, match="two different heads"):
        verify_store(store, [wrong, ExternalHead(head.position, head.hash)])


def test_events_committed_while_verifying_are_not_findings(history, store):
    """A writer appends between verify's reads of the events and of the chain records: the
    pass stops at the position stored when it began."""
    recorder = store.recorder
    original = recorder.stored_rows

    def stored_rows_then_write(*args, **kwargs):
        rows = original(*args, **kwargs)
        history.audit.seal(Seal("written during a verification", date(2004, 1, 6)))
        return rows

    recorder.stored_rows = stored_rows_then_write
    try:
        result, found = findings(store)
    finally:
        recorder.stored_rows = original
    assert found == []
    assert store.head_position() > result.events
    assert verify_store(store).ok


def test_reordered_events_are_found(raw, store):
    first, second = raw.positions_of_topic(ACCRUED)[40:42]
    raw.drop_guards()
    # Swap two events' places in the log (their notification ids).
    parking = 10**9
    column = raw.position
    raw.execute(f"UPDATE {raw.events} SET {column} = ? WHERE {column} = ?", [parking, first])
    raw.execute(f"UPDATE {raw.events} SET {column} = ? WHERE {column} = ?", [first, second])
    raw.execute(f"UPDATE {raw.events} SET {column} = ? WHERE {column} = ?", [second, parking])
    _, found = findings(store)
    assert ("reordered", first) in found
    assert ("reordered", second) in found


def test_an_edited_commit_time_is_found(raw, store):
    position = raw.positions_of_topic(ACCRUED)[50]
    raw.drop_guards()
    raw.execute(
        f"UPDATE {raw.chain} SET committed_at = ? WHERE position = ?",
        ["2001-01-01T00:00:00.000000Z", position],
    )
    _, found = findings(store)
    assert ("edited", position) in found


def test_a_rewritten_chain_still_breaks_the_seal_and_the_external_head(raw, store):
    """An intruder edits an event and recomputes every later hash: the chain is consistent
    with itself, but not with the seal recorded before, nor with a head kept outside."""
    head_before = store.chain_head()
    position = raw.positions_of_topic(ACCRUED)[60]
    raw.drop_guards()
    raw.set_state(position, raw.state_at(position).replace(b'"amount":"', b'"amount":"8', 1))
    rows = raw.execute(
        f"SELECT c.position, c.originator_id, c.originator_version, e.topic, c.committed_at, "
        f"e.state FROM {raw.chain} c JOIN {raw.events} e ON e.{raw.position} = c.position "
        "ORDER BY c.position"
    )
    previous = GENESIS_HASH
    for row in rows:
        content = StoredContent(int(row[0]), row[1], int(row[2]), row[3], row[4], bytes(row[5]))
        digest = chain_hash(previous, content)
        raw.execute(
            f"UPDATE {raw.chain} SET previous_hash = ?, hash = ? WHERE position = ?",
            [previous, digest, content.position],
        )
        previous = digest
    external = ExternalHead(head_before.position, head_before.hash)
    _, found = findings(store, [external])
    assert "edited" not in kinds(found) and "link-broken" not in kinds(found)
    assert "seal-mismatch" in kinds(found)
    assert ("head-mismatch", head_before.position) in found


def test_an_edited_snapshot_is_found(raw, store):
    rows = raw.execute(f"SELECT originator_version, state FROM {raw.snapshots}")
    version, state = rows[0][0], bytes(rows[0][1])
    raw.drop_guards()
    raw.execute(
        f"UPDATE {raw.snapshots} SET state = ? WHERE originator_version = ?",
        [state.replace(b"50000000", b"40000000", 1), version],
    )
    _, found = findings(store)
    assert "snapshot-mismatch" in kinds(found)


# ---- PostgreSQL: TRUNCATE and privileges ---------------------------------------------------


@pytest.mark.postgres
class TestPostgresOnly:
    @pytest.fixture
    def database_url(self):
        url = fresh_postgres_url()
        try:
            yield url
        finally:
            drop_schema(url)

    def test_truncate_is_refused(self, raw):
        for name in (raw.events, raw.chain, raw.snapshots):
            with pytest.raises(psycopg.Error, match="append-only"):
                raw.execute(f"TRUNCATE {name}")

    def test_the_writer_role_may_append_but_not_change(self, raw, store, database_url, tmp_path):
        role = f"planledger_writer_{uuid.uuid4().hex[:8]}"
        try:
            assert main(["--db", database_url, "db", "writer-role", role], out=io.StringIO()) == 0
            writer = compose(database_url.replace("postgres@", f"{role}@", 1), actor="writer")
            try:
                figures = {date(2004, 1, 1): Decimal("50000000.00")}
                jan = read_csv(net_assets_csv(tmp_path / "jan.csv", figures), NetAssetsRow)
                writer.figures.import_net_assets(ImportNetAssets(jan))
                summary = writer.accruals.accrue(
                    Accrue(date(2004, 1, 1), max_carry_days=4, fund_classes=["INTL-BCV/R"])
                )
                assert summary
            finally:
                writer.close()
            as_writer = RawDatabase(store, database_url, user=role)
            for statement in (
                f"UPDATE {raw.events} SET topic = topic",
                f"DELETE FROM {raw.events}",
                f"TRUNCATE {raw.events}",
                f"UPDATE {raw.chain} SET hash = hash",
                f"DELETE FROM {raw.snapshots}",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    as_writer.execute(statement)
            assert verify_store(store).ok
        finally:
            raw.execute(f'DROP OWNED BY "{role}"')
            raw.execute(f'DROP ROLE IF EXISTS "{role}"')


LARGE_BATCH = """
import sys, uuid
from eventsourcing.persistence import StoredEvent
from adapters.store.persistence import open_store
store = open_store(sys.argv[1], create=True)
streams = [uuid.uuid4() for _ in range(100)]
events = [
    StoredEvent(streams[i % 100], i // 100 + 1, "test.Large", b'{"a":"' + b"z" * 600 + b'"}')
    for i in range(10_000)
]
print(len(store.recorder.insert_events(events)))
"""


@pytest.mark.postgres
class TestPostgresLargeBatches:
    @pytest.fixture
    def database_url(self):
        url = fresh_postgres_url()
        try:
            yield url
        finally:
            drop_schema(url)

    def test_a_batch_of_several_megabytes_is_written_and_chained(self, database_url):
        """The library's pipelined insert never returns for a batch this size (about 6 MB);
        the ledger's recorder writes it in an ordinary transaction. Run apart, so that a
        regression fails by its timeout instead of hanging the suite."""
        completed = subprocess.run(
            [sys.executable, "-c", LARGE_BATCH, database_url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=PROJECT_ROOT,
        )
        assert completed.returncode == 0, completed.stderr[-2000:]
        assert completed.stdout.strip() == "10000"
        store = open_store(database_url)
        try:
            result = verify_store(store, check_snapshots=False)
        finally:
            store.close()
        assert result.ok and result.events == 10_000
