"""The examiner's workbench in process (docs/web.md): every page in HTML and JSON at a
resolved log position, figures linked to their events, two moments compared, hostile text
inert, no write path, and a connection that cannot write. SQLite and PostgreSQL (there as the
auditor role of `db init-roles`)."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from adapters.store.chain import format_commit_time
from adapters.web.app import create_app
from adapters.web.tokens import TokenCheck, add_token, read_tokens
from tests.workbench import (
    BEFORE_CORRECTIONS,
    HOSTILE_ACTOR,
    HOSTILE_REASON,
    TODAY,
    build_workbench_ledger,
    read_only,
)

KNOWN_BEFORE = format_commit_time(BEFORE_CORRECTIONS)
PAGES = [
    "/",
    "/fund-class/INTL-BCV/R",
    "/report/INTL-BCV/R/2003Q3",
    "/report/INTL-BCV/R/2003Q3/figure?pointer=/quarter_figures/paid_to_distributor",
    "/log",
    "/event/1",
    f"/compare?known_at_a={KNOWN_BEFORE}",
    "/breaks",
    "/verify",
]


@pytest.fixture
def workbench(quarter, tmp_path, database_url):
    build_workbench_ledger(quarter, tmp_path, database_url)
    with read_only(database_url) as ledger:
        yield ledger


@pytest.fixture
def client(workbench):
    return TestClient(create_app(workbench, today=lambda: TODAY))


def with_query(page: str, query: str) -> str:
    return page + ("&" if "?" in page else "?") + query


def test_every_page_answers_in_html_and_json_at_the_position_it_resolved_to(client, workbench):
    head = workbench.served_position()
    for page in PAGES:
        html = client.get(page)
        assert html.status_code == 200, (page, html.text[:500])
        assert f'<strong id="log-position">{head}</strong>' in html.text, page
        path, _, query = page.partition("?")
        for answer in (
            client.get(f"{path}.json" + (f"?{query}" if query else "")),
            client.get(page, headers={"Accept": "application/json"}),
        ):
            assert answer.headers["content-type"] == "application/json", page
            assert answer.json()["moment"]["log_position"] == head, page


def test_a_known_at_time_resolves_to_an_earlier_position_and_links_carry_both_times(
    client, workbench
):
    before = client.get(f"/fund-class/INTL-BCV/R.json?as_of=2003-10-31&known_at={KNOWN_BEFORE}")
    now = client.get("/fund-class/INTL-BCV/R.json?as_of=2003-10-31").json()
    then = before.json()
    assert then["moment"]["log_position"] == workbench.position_known_at(BEFORE_CORRECTIONS)
    assert then["moment"]["log_position"] < now["moment"]["log_position"]
    # The restatement lowered the week's accruals; the reversal took September's payment off.
    assert then["as_of"]["accrued"]["total"] != now["as_of"]["accrued"]["total"]
    assert (
        then["as_of"]["paid_to_distributor"]["total"]
        != now["as_of"]["paid_to_distributor"]["total"]
    )
    page = client.get(f"/?as_of=2003-09-30&known_at={KNOWN_BEFORE}").text
    links = re.findall(r'href="(/fund-class/[^"]+)"', page)
    assert links and all("as_of=2003-09-30" in link and "known_at=" in link for link in links)


def test_the_json_follows_the_command_lines_contract(client):
    record = client.get("/fund-class/INTL-BCV/R.json?as_of=2003-09-30").json()
    assert re.fullmatch(r"-?\d+\.\d\d", record["as_of"]["accrued"]["total"])
    assert record["as_of"]["schedule_b"]["asset_based_sales_charge"] == "0.0025"
    assert record["as_of"]["plan_in_effect"] is True
    assert all(re.fullmatch(r"-?\d+\.\d\d", row["accrued"]) for row in record["accruals_by_month"])
    entry = client.get("/log.json").json()["entries"][0]
    assert set(entry) >= {"position", "committed_at", "actor", "why", "event_id", "class"}


def test_every_figure_of_the_report_links_to_the_events_its_sources_name(client):
    report = client.get("/report/INTL-BCV/R/2003Q3.json").json()["report"]
    page = client.get("/report/INTL-BCV/R/2003Q3").text
    for pointer, source in report["sources"].items():
        assert f"pointer={pointer.replace('/', '%2F')}" in page, pointer
        if "positions" not in source:
            continue
        figure = client.get(
            "/report/INTL-BCV/R/2003Q3/figure.json", params={"pointer": pointer}
        ).json()
        wanted = set()
        for run in source["positions"]:
            first, _, last = run.partition("..")
            wanted |= set(range(int(first), int(last or first) + 1))
        assert {event["position"] for event in figure["events"]} == wanted, pointer


def test_text_shaped_like_html_and_script_is_shown_inert(client):
    log = client.get("/log.json?type=DistributorPaymentReversed").json()["entries"]
    assert [entry["actor"] for entry in log] == [HOSTILE_ACTOR]
    position = log[0]["position"]
    for page in (f"/event/{position}", "/log?type=DistributorPaymentReversed"):
        html = client.get(page)
        assert "<script>alert" not in html.text and "<img src=x" not in html.text, page
        assert "&lt;script&gt;alert(&#39;actor&#39;)&lt;/script&gt;" in html.text, page
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html.text, page
        assert "script-src" not in html.headers["content-security-policy"]
        assert "default-src 'none'" in html.headers["content-security-policy"]
    event = client.get(f"/event/{position}.json").json()
    assert event["entry"]["why"] == HOSTILE_REASON
    assert event["corrects"]["event_type"] == "DistributorPaid"
    corrected = client.get(f"/event/{event['corrects']['position']}.json").json()
    assert [later["position"] for later in corrected["corrected_by"]] == [position]


def test_no_write_path_only_get_and_head(client):
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for page in ("/", "/log", "/event/1", "/nothing"):
            answer = client.request(method, page, content=b"x")
            assert answer.status_code == 405, (method, page)
            assert answer.headers["allow"] == "GET, HEAD"
    assert client.head("/").status_code == 200


REFUSED = r"(?i)read.?only|permission denied"


def test_the_connection_cannot_write(workbench):
    engine = workbench.read_models.engine
    for statement in (
        "INSERT INTO rm_tracking (projection, position) VALUES ('x', 1)",
        "CREATE TABLE web_was_here (a integer)",
    ):
        with pytest.raises(Exception, match=REFUSED), engine.begin() as conn:
            conn.execute(text(statement))
    recorder = workbench.store.recorder
    schema = getattr(recorder.datastore, "schema", None)  # PostgreSQL's; SQLite has none
    events = f"{schema}.{recorder.events_table_name}" if schema else recorder.events_table_name
    with (
        pytest.raises(Exception, match=REFUSED),
        recorder.datastore.transaction(commit=True) as cursor,
    ):
        cursor.execute(f"DELETE FROM {events}")


def test_two_known_at_times_side_by_side_with_the_events_between(client, workbench):
    found = client.get(
        f"/compare.json?known_at_a={KNOWN_BEFORE}&as_of=2003-10-31&quarter=2003Q3"
    ).json()
    assert found["before"]["log_position"] < found["after"]["log_position"]
    differing = {row["figure"] for row in found["figures"] if row["differs"]}
    assert "INTL-BCV/R paid_to_distributor.total" in differing
    assert any(path.startswith("INTL-BCV/R report 2003Q3 quarter_figures") for path in differing)
    between = {entry["event_type"] for entry in found["events_between"]}
    assert {"NetAssetsRestated", "DistributorPaymentReversed"} <= between
    assert found["impact"]["reports"][0]["quarter"] == "2003Q3"
    html = client.get(f"/compare?known_at_a={KNOWN_BEFORE}&as_of=2003-10-31&quarter=2003Q3").text
    assert html.count('class="differs"') == sum(1 for row in found["figures"] if row["differs"])


def test_two_business_dates_side_by_side(client):
    found = client.get("/compare.json?as_of_a=2003-08-31&as_of_b=2003-09-30").json()
    assert found["before"]["as_of"] == "2003-08-31" and found["after"]["as_of"] == "2003-09-30"
    assert found["before"]["log_position"] == found["after"]["log_position"]
    assert "INTL-BCV/R accrued.total" in {
        row["figure"] for row in found["figures"] if row["differs"]
    }


def test_the_log_filters_and_pages(client):
    first = client.get("/log.json").json()
    assert len(first["entries"]) == 50 and first["next_after"] == first["entries"][-1]["position"]
    second = client.get(f"/log.json?after={first['next_after']}").json()
    assert second["entries"][0]["position"] > first["entries"][-1]["position"]
    back = client.get(f"/log.json?before={second['previous_before']}").json()
    assert back["entries"] == first["entries"]
    chosen = client.get(
        "/log.json?fund_class=INTL-BCV/R&type=NetAssetsRestated&business_from=2003-09-10"
    ).json()["entries"]
    assert chosen and all(
        e["event_type"] == "NetAssetsRestated" and e["business_date"] >= "2003-09-10"
        for e in chosen
    )
    by_actor = client.get("/log.json", params={"actor": HOSTILE_ACTOR}).json()["entries"]
    # The reversal, and the receivable it booked (decision A16), both by the one actor.
    assert {entry["event_type"] for entry in by_actor} == {
        "DistributorPaymentReversed",
        "DistributorReceivableBooked",
    }
    recorded = client.get("/log.json?recorded_to=2003-10-02").json()["entries"]
    assert recorded and all(entry["committed_at"] < "2003-10-03" for entry in recorded)


def test_reconciliation_breaks_as_known_at_a_time(client):
    now = client.get("/breaks.json").json()["breaks"]
    assert {row["key"] for row in now} >= {"accruals/day/INTL-BCV/R/2003-07-03"}
    day = next(row for row in now if row["key"] == "accruals/day/INTL-BCV/R/2003-07-03")
    assert (day["kind"], day["difference"], day["status"]) == ("amount-differs", "1.00", "open")
    assert client.get(f"/breaks.json?known_at={KNOWN_BEFORE}").json()["breaks"] == []
    assert "accruals/day/INTL-BCV/R/2003-07-03" in client.get("/breaks").text


def test_events_the_read_models_do_not_hold_yet_are_not_served_and_the_page_says_so(
    quarter, client, workbench
):
    from adapters.application.commands import Seal

    ledger, _ = quarter
    served = workbench.served_position()
    ledger.audit.seal(Seal("written after the read models' last catch-up", TODAY))
    assert workbench.head_position() == served + 1
    assert client.get("/index.json").json()["moment"]["log_position"] == served
    assert f"(the log's head is {served + 1})" in client.get("/").text
    assert client.get(f"/event/{served + 1}").status_code == 404


def test_bad_input_is_400_and_what_is_not_there_404(client):
    assert client.get("/?as_of=2003-13-01").status_code == 400
    assert client.get("/?known_at=2999-01-01T00:00:00Z").status_code == 400
    assert client.get("/log?type=NoSuchEvent").status_code == 400
    assert client.get("/report/INTL-BCV/R/2003Q9").status_code == 400
    assert client.get("/fund-class/NOPE/R").status_code == 404
    assert client.get("/event/999999").status_code == 404
    missing = client.get("/event/999999.json")
    assert missing.status_code == 404 and "no event" in missing.json()["error"]


def test_tokens_are_required_when_given(workbench, tmp_path: Path):
    tokens_file = tmp_path / "tokens"
    secret = add_token(tokens_file, "examiner")
    assert secret not in tokens_file.read_text()
    assert tokens_file.stat().st_mode & 0o777 == 0o600
    client = TestClient(create_app(workbench, TokenCheck(read_tokens(tokens_file)), lambda: TODAY))
    assert client.get("/").status_code == 401
    assert client.get("/").headers["www-authenticate"].startswith("Basic")
    basic = base64.b64encode(f"examiner:{secret}".encode()).decode()
    assert client.get("/", headers={"Authorization": f"Basic {basic}"}).status_code == 200
    assert (
        client.get("/", headers={"Authorization": f"Bearer examiner:{secret}"}).status_code == 200
    )
    wrong = base64.b64encode(b"examiner:guess").decode()
    assert client.get("/", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
