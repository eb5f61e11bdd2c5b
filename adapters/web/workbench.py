"""What the workbench's routes share: the ledger, the templates (Jinja2, autoescaped), the
page cache, and the answer as HTML or JSON."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from adapters.web.moments import Moment, resolve
from adapters.web.opening import ReadOnlyLedger
from domain.rates import format_percent

HERE = Path(__file__).parent
CACHE_SIZE = 512


class NotFoundError(LookupError):
    """No such page or event (404)."""


MONEY = re.compile(r"-?[0-9]+\.[0-9]{2}")


def is_money(value: Any) -> bool:
    """A money string of the contract ("1234.50", "-19.82")."""
    return isinstance(value, str) and MONEY.fullmatch(value) is not None


def percent(value: Any) -> str:
    """A rate of the contract (a decimal fraction string) as the command line's tables show
    it, a percentage; anything else as it is."""
    if isinstance(value, str):
        try:
            return format_percent(Decimal(value))
        except ArithmeticError:
            return value
    return "" if value is None else str(value)


def amount(value: Any) -> str:
    """A money string with thousands separated, for people; any other value as it is."""
    if is_money(value):
        return f"{Decimal(value):,.2f}"
    return "" if value is None else str(value)


def templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["amount"] = amount
    environment.filters["percent"] = percent
    environment.tests["money"] = is_money
    environment.filters["pretty"] = lambda value: json.dumps(value, indent=2, sort_keys=True)
    return environment


class PageCache:
    """Page records by route, parameters and log position. What the ledger knew at a position
    never changes, so a record made for one is right for good (bounded, least recent out).
    Requests for a record being made wait for it rather than make it again."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.records: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self.making: dict[tuple[Any, ...], threading.Lock] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self.lock:
            if key in self.records:
                self.records.move_to_end(key)
                return self.records[key]
            maker = self.making.setdefault(key, threading.Lock())
        with maker:
            with self.lock:
                if key in self.records:
                    return self.records[key]
            try:
                record = make()
            finally:
                with self.lock:
                    self.making.pop(key, None)
            with self.lock:
                self.records[key] = record
                while len(self.records) > self.size:
                    self.records.popitem(last=False)
        return record


def wants_json(request: Request) -> bool:
    if request.scope.get("wants_json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


class Workbench:
    """What the routes share: the ledger, the templates, the cache, the last chain check."""

    def __init__(self, ledger: ReadOnlyLedger, today: Callable[[], date]) -> None:
        self.ledger = ledger
        self.today = today
        self.templates = templates()
        self.cache = PageCache()
        self.chain_check: Any = None

    def moment(self, request: Request) -> Moment:
        params = request.query_params
        return resolve(self.ledger, params.get("as_of"), params.get("known_at"), self.today())

    def respond(
        self, request: Request, page: str, moment: Moment | None, record: dict[str, Any]
    ) -> Response:
        body = {"page": page} | ({"moment": moment.record()} if moment else {}) | record
        if wants_json(request):
            return JSONResponse(body)
        html = self.templates.get_template(f"{page}.html").render(
            body=body,
            moment=moment,
            link=lambda path, **extra: path + (moment.query(**extra) if moment else ""),
            query=lambda **pairs: "?" + urlencode({k: v for k, v in pairs.items() if v}),
            request_path=request.url.path,
            request_query=request.url.query,
            head_position=self.ledger.head_position(),
            chain_check=self.chain_check,
        )
        return HTMLResponse(html)

    def error(self, request: Request, status: int, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        html = self.templates.get_template("error.html").render(
            status=status, message=message, moment=None, link=lambda path, **_: path
        )
        return HTMLResponse(html, status_code=status)
