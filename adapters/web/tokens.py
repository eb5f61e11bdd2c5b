"""Access tokens of the workbench when it listens beyond this machine (docs/web.md, "Access").

A token is a name and a secret. The file keeps, one line per token, the name, a random salt
and the scrypt hash of the secret (`NAME scrypt SALT_HEX HASH_HEX`): never the secret, which
`planledger serve token add NAME` prints once. The file lives next to a SQLite ledger
(`LEDGER.db.web-tokens`) or where `--tokens` says; it is written with mode 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from adapters.store.persistence import parse_database_url

TOKEN_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
DEFAULT_FILE = "planledger-web-tokens"


class TokenError(ValueError):
    """A token name or file the command cannot take."""


@dataclass(frozen=True)
class StoredToken:
    name: str
    salt: bytes
    digest: bytes

    def line(self) -> str:
        return f"{self.name} scrypt {self.salt.hex()} {self.digest.hex()}\n"


def default_tokens_path(database_url: str) -> Path:
    """Next to a SQLite ledger; in the working folder for PostgreSQL."""
    target = parse_database_url(database_url)
    if target.sqlite_path is not None:
        return target.sqlite_path.with_name(target.sqlite_path.name + ".web-tokens")
    return Path(DEFAULT_FILE)


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **SCRYPT)


def read_tokens(path: Path) -> list[StoredToken]:
    if not path.is_file():
        return []
    tokens = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4 or parts[1] != "scrypt":
            raise TokenError(f"{path}: line {number} is not NAME scrypt SALT HASH")
        tokens.append(StoredToken(parts[0], bytes.fromhex(parts[2]), bytes.fromhex(parts[3])))
    return tokens


def _write(path: Path, tokens: list[StoredToken]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(token.line() for token in tokens)
    temporary.replace(path)


def add_token(path: Path, name: str) -> str:
    """A new token `name` (replacing one of that name); its secret, which is not kept.

    Raises:
        TokenError: a name of other characters than letters, digits and `_.@-`.
    """
    if not TOKEN_NAME.match(name):
        raise TokenError(f"a token name is 1 to 64 letters, digits or _.@-: {name!r}")
    secret = secrets.token_urlsafe(24)
    salt = secrets.token_bytes(16)
    kept = [token for token in read_tokens(path) if token.name != name]
    _write(path, [*kept, StoredToken(name, salt, _hash(secret, salt))])
    return secret


def revoke_token(path: Path, name: str) -> bool:
    tokens = read_tokens(path)
    kept = [token for token in tokens if token.name != name]
    if len(kept) == len(tokens):
        return False
    _write(path, kept)
    return True


class TokenCheck:
    """Checks a presented name and secret against the file's hashes. A pair that passed is
    remembered by its own SHA-256 (scrypt is slow on purpose; a page should not be)."""

    def __init__(self, tokens: list[StoredToken]) -> None:
        self.tokens = {token.name: token for token in tokens}
        self._passed: dict[bytes, str] = {}

    def name_of(self, name: str, secret: str) -> str | None:
        key = hashlib.sha256(f"{name}\0{secret}".encode()).digest()
        if key in self._passed:
            return self._passed[key]
        token = self.tokens.get(name)
        if token is None or not hmac.compare_digest(_hash(secret, token.salt), token.digest):
            return None
        self._passed[key] = name
        return name
