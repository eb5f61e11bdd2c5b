"""The workbench's pages, one route each (docs/web.md lists them). A route resolves the
moment, takes the record from the page cache (made by pages.py or report_pages.py at that
position) and lets the workbench render it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from adapters.web import pages, report_pages
from adapters.web.moments import BadQueryError, resolve
from adapters.web.workbench import NotFoundError, Workbench

LOG_PARAMS = (
    "fund_class",
    "type",
    "actor",
    "business_from",
    "business_to",
    "recorded_from",
    "recorded_to",
)


def _int(text: str | None, name: str) -> int | None:
    if text in (None, ""):
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise BadQueryError(f"{name}: not a log position: {text!r}")
    return int(text)


def add_routes(app: FastAPI, bench: Workbench) -> None:
    _add_ledger_routes(app, bench)
    _add_audit_routes(app, bench)


def _add_ledger_routes(app: FastAPI, bench: Workbench) -> None:
    ledger = bench.ledger

    @app.get("/")
    def home(request: Request) -> Response:
        moment = bench.moment(request)
        view = ledger.view_at(moment.position)
        key = ("home", moment.as_of, moment.position)
        record = bench.cache.get(key, lambda: pages.home(view, moment))
        return bench.respond(request, "home", moment, record)

    @app.get("/fund-class/{fund}/{share_class}")
    def fund_class(request: Request, fund: str, share_class: str) -> Response:
        moment = bench.moment(request)
        view = ledger.view_at(moment.position)
        fund_class_key = f"{fund}/{share_class}"
        key = ("fund-class", fund_class_key, moment.as_of, moment.position)
        record = bench.cache.get(key, lambda: pages.fund_class_page(view, fund_class_key, moment))
        return bench.respond(request, "fund_class", moment, record)

    @app.get("/report/{fund}/{share_class}/{quarter}")
    def report(request: Request, fund: str, share_class: str, quarter: str) -> Response:
        moment = bench.moment(request)
        pages.quarter_period(quarter)
        view = ledger.view_at(moment.position)
        fund_class_key = f"{fund}/{share_class}"
        key = ("report", fund_class_key, quarter, moment.position)
        record = bench.cache.get(
            key, lambda: report_pages.report_page(view, fund_class_key, quarter)
        )
        return bench.respond(request, "report", moment, record)

    @app.get("/report/{fund}/{share_class}/{quarter}/figure")
    def figure(request: Request, fund: str, share_class: str, quarter: str) -> Response:
        moment = bench.moment(request)
        pages.quarter_period(quarter)
        pointer = request.query_params.get("pointer", "")
        view = ledger.view_at(moment.position)
        fund_class_key = f"{fund}/{share_class}"
        report = bench.cache.get(
            ("report", fund_class_key, quarter, moment.position),
            lambda: report_pages.report_page(view, fund_class_key, quarter),
        )["report"]
        key = ("figure", fund_class_key, quarter, pointer, moment.position)
        record = bench.cache.get(key, lambda: report_pages.figure_page(view, report, pointer))
        return bench.respond(request, "figure", moment, record)

    @app.get("/breaks")
    def breaks(request: Request) -> Response:
        moment = bench.moment(request)
        view = ledger.view_at(moment.position)
        key = ("breaks", moment.as_of, moment.position)
        record = bench.cache.get(key, lambda: report_pages.breaks_page(view, moment.as_of))
        return bench.respond(request, "breaks", moment, record)


def _add_audit_routes(app: FastAPI, bench: Workbench) -> None:
    ledger = bench.ledger

    @app.get("/log")
    def log(request: Request) -> Response:
        moment = bench.moment(request)
        params = {name: request.query_params.get(name, "") for name in LOG_PARAMS}
        chosen = pages.log_filter(params, moment)
        after = _int(request.query_params.get("after"), "after") or 0
        before = _int(request.query_params.get("before"), "before")
        view = ledger.view_at(moment.position)
        key = ("log", chosen, after, before, moment.position)
        record = bench.cache.get(
            key, lambda: {"filters": params} | pages.log_page(view, chosen, after, before)
        )
        return bench.respond(request, "log", moment, record)

    @app.get("/event/{position}")
    def event(request: Request, position: str) -> Response:
        moment = bench.moment(request)
        number = _int(position, "position") or 0
        view = ledger.view_at(moment.position)
        record = bench.cache.get(
            ("event", number, moment.position), lambda: pages.event_page(view, number) or {}
        )
        if not record:
            raise NotFoundError(f"no event at log position {number} (known at {moment.position})")
        return bench.respond(request, "event", moment, record)

    @app.get("/compare")
    def compare(request: Request) -> Response:
        return _compare(request, bench)

    @app.get("/verify")
    def verify(request: Request) -> Response:
        moment = bench.moment(request)
        check = report_pages.check_chain(ledger.view_at(moment.position))
        bench.chain_check = check
        record: dict[str, Any] = {"check": vars(check)}
        return bench.respond(request, "verify", moment, record)


def _compare(request: Request, bench: Workbench) -> Response:
    """Two moments: `known_at_a`/`known_at_b` (one `as_of`) or `as_of_a`/`as_of_b` (one
    `known_at`); either side left out is the page's own moment."""
    params = request.query_params
    moment = bench.moment(request)
    quarter = params.get("quarter") or None
    if quarter is not None:
        pages.quarter_period(quarter)
    if not any(params.get(name) for name in ("known_at_a", "known_at_b", "as_of_a", "as_of_b")):
        return bench.respond(request, "compare", moment, {"figures": None, "quarter": quarter})
    sides = []
    for side in ("a", "b"):
        chosen = resolve(
            bench.ledger,
            params.get(f"as_of_{side}") or params.get("as_of"),
            params.get(f"known_at_{side}") or params.get("known_at"),
            bench.today(),
        )
        sides.append(report_pages.Side(bench.ledger.view_at(chosen.position), chosen))
    before, after = sides
    # The impact hangs on the two positions alone (not the business dates): made once for both.
    impact_key = ("impact", before.moment.known_at, after.moment.position)
    impact = bench.cache.get(
        impact_key, lambda: {"impact": report_pages.impact_between(before, after)}
    )["impact"]
    key = ("compare", before.moment, after.moment, quarter)
    record = bench.cache.get(key, lambda: report_pages.compare_page(before, after, quarter, impact))
    return bench.respond(request, "compare", moment, record | {"form": dict(params)})
