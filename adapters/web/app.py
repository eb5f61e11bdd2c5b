"""The workbench's web application: the read-only and access guards around the routes
(docs/web.md). Each route (routes.py) resolves the URL's moment, asks pages.py or
report_pages.py for its record, and renders it as HTML or JSON (workbench.py)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.web.moments import BadQueryError
from adapters.web.opening import ReadOnlyLedger
from adapters.web.routes import add_routes
from adapters.web.tokens import TokenCheck
from adapters.web.workbench import HERE, NotFoundError, Workbench
from domain.errors import UnknownFundClassError

READ_METHODS = ("GET", "HEAD")
SECURITY_HEADERS = {
    # No script runs on any page: there is none, and none injected could run.
    "content-security-policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class Guard:
    """Outermost layer: only GET and HEAD, a `.json` suffix read as "answer in JSON", the
    access check when tokens are required, and the security headers on every answer."""

    def __init__(self, app: ASGIApp, tokens: TokenCheck | None) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in READ_METHODS:
            await self._plain(send, 405, "read-only: only GET and HEAD\n", allow="GET, HEAD")
            return
        if self.tokens is not None and not self._allowed(scope):
            await self._plain(
                send, 401, "a token is required\n", www_authenticate='Basic realm="planledger"'
            )
            return
        head_only = scope["method"] == "HEAD"
        if head_only:  # answered as GET, without the body
            scope = dict(scope, method="GET")
        path: str = scope["path"]
        if path.endswith(".json"):
            path = path.removesuffix(".json")
            scope = dict(scope, path="/" if path == "/index" else path, wants_json=True)

        async def secured(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = dict(message, headers=headers)
            elif head_only and message["type"] == "http.response.body":
                message = dict(message, body=b"")
            await send(message)

        await self.app(scope, receive, secured)

    def _allowed(self, scope: Scope) -> bool:
        assert self.tokens is not None
        header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
        kind, _, credentials = header.partition(" ")
        try:
            if kind.lower() == "basic":
                text = base64.b64decode(credentials, validate=True).decode()
                name, _, secret = text.partition(":")
            elif kind.lower() == "bearer":
                name, _, secret = credentials.partition(":")
            else:
                return False
        except (binascii.Error, UnicodeDecodeError):
            return False
        return bool(secret) and self.tokens.name_of(name, secret) is not None

    @staticmethod
    async def _plain(send: Send, status: int, text: str, **headers: str) -> None:
        extra = [
            (name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()
        ]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), *extra]
                + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()],
            }
        )
        await send({"type": "http.response.body", "body": text.encode()})


def create_app(
    ledger: ReadOnlyLedger,
    tokens: TokenCheck | None = None,
    today: Callable[[], date] = date.today,
) -> ASGIApp:
    """The workbench on `ledger`; `tokens`: require one of them on every request."""
    app = FastAPI(title="planledger workbench", docs_url=None, redoc_url=None, openapi_url=None)
    bench = Workbench(ledger, today)
    add_routes(app, bench)

    @app.exception_handler(BadQueryError)
    async def _bad(request: Request, error: BadQueryError) -> Response:
        return bench.error(request, 400, str(error))

    @app.exception_handler(UnknownFundClassError)
    async def _unknown(request: Request, error: UnknownFundClassError) -> Response:
        return bench.error(request, 404, str(error))

    @app.exception_handler(NotFoundError)
    async def _missing(request: Request, error: NotFoundError) -> Response:
        return bench.error(request, 404, str(error))

    @app.get("/static/style.css", include_in_schema=False)
    def _style() -> FileResponse:
        return FileResponse(HERE / "static" / "style.css", media_type="text/css")

    return Guard(app, tokens)
