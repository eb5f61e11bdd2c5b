"""`planledger serve` from the command line (docs/web.md): it starts on 127.0.0.1, says the
position it serves, answers GET and refuses writes; on an address beyond this machine it
requires a token, says so at start, and refuses to start without one; `serve token`
adds, lists and revokes tokens, keeping only their hashes."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from adapters.cli.main import main
from tests.conftest import PROJECT_ROOT, SHIPPED_PLAN
from tests.workbench import free_port, wait_for_port


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def start(*argv: str) -> subprocess.Popen[str]:
    program = "import sys; from adapters.cli.main import main; sys.exit(main())"
    return subprocess.Popen(
        [sys.executable, "-c", program, "serve", *argv],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, PYTHONPATH=str(PROJECT_ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    server.wait(timeout=20)


def ledger(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert run("plan", "load", str(SHIPPED_PLAN), "--db", db)[0] == 0
    return db


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> int:
    try:
        with urllib.request.urlopen(
            urllib.request.Request(url, method=method, headers=headers or {})
        ) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_serve_listens_on_this_machine_and_only_reads(tmp_path):
    db = ledger(tmp_path)
    port = free_port()
    server = start("--port", str(port), "--db", db)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert f"read-only at http://127.0.0.1:{port}/ (log position " in line, line
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}"
        assert request(base + "/") == 200
        assert request(base + "/index.json") == 200
        assert request(base + "/", method="POST") == 405
        assert request(base + "/log", method="DELETE") == 405
    finally:
        stop(server)


def test_beyond_this_machine_a_token_is_required_and_said_so(tmp_path):
    db = ledger(tmp_path)
    tokens = tmp_path / "tokens"
    code, _, err = run("serve", "--host", "0.0.0.0", "--tokens", str(tokens), "--db", db)
    assert code == 2 and "requires a token" in err and "serve token add" in err

    code, out, _ = run("serve", "token", "add", "examiner", "--tokens", str(tokens), "--db", db)
    assert code == 0
    secret = out.split("secret (shown once): ", 1)[1].strip()
    assert secret and secret not in tokens.read_text()
    assert run("serve", "token", "list", "--tokens", str(tokens))[1] == "examiner\n"

    port = free_port()
    server = start("--host", "0.0.0.0", "--port", str(port), "--tokens", str(tokens), "--db", db)
    try:
        assert server.stdout is not None
        assert "read-only at http://0.0.0.0:" in server.stdout.readline()
        assert "access: a token is required on every request" in server.stdout.readline()
        wait_for_port(port)
        base = f"http://127.0.0.1:{port}/"
        assert request(base) == 401
        basic = base64.b64encode(f"examiner:{secret}".encode()).decode()
        assert request(base, headers={"Authorization": f"Basic {basic}"}) == 200
    finally:
        stop(server)

    assert run("serve", "token", "revoke", "examiner", "--tokens", str(tokens))[0] == 0
    assert run("serve", "token", "list", "--tokens", str(tokens))[1] == ""
    assert run("serve", "token", "revoke", "examiner", "--tokens", str(tokens))[0] == 2


def test_the_tokens_file_lives_next_to_a_sqlite_ledger(tmp_path):
    db = ledger(tmp_path)
    code, out, _ = run("serve", "token", "add", "examiner", "--db", db)
    assert code == 0 and str(tmp_path / "ledger.db.web-tokens") in out
    assert run("serve", "token", "add", "not a name", "--db", db)[0] == 2
