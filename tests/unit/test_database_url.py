"""Database URLs: a password never shows, and no part of the URL can rewrite another part of
the connection (the libpq conninfo and the SQLAlchemy URL are built field by field)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from adapters.readside.read_models import sqlalchemy_url
from adapters.store.persistence import DatabaseUrlError, parse_database_url, psycopg_conninfo

SECRET = "S3cretPW"


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://u:{SECRET}@h/db",
        f"postgresql://u:{SECRET}@h:5432/",
        f"postgres://u:{SECRET}@h",
        f"sqlite://u:{SECRET}@h/",
    ],
)
def test_a_refused_url_is_named_without_its_password(url: str) -> None:
    with pytest.raises(DatabaseUrlError) as raised:
        parse_database_url(url)
    message = str(raised.value)
    assert SECRET not in message
    assert "u:***@h" in message


def test_a_target_never_shows_its_password() -> None:
    target = parse_database_url(f"postgresql://u:{SECRET}@h:5433/db?schema=s")
    assert SECRET not in repr(target)
    assert SECRET not in target.shown
    assert target.shown == "postgresql://u:***@h:5433/db?schema=s"


CRAFTED = [
    ("db port=1", "u", "pw"),
    ("db host=evil.example user=root", "u", "pw"),
    ("db' port='1", "u", "p w' port='1"),
    ("db?host=evil&port=1", "u@x", "p@ss:w/rd?"),
    ("db\\ port=1", "u", "pw"),
]


@pytest.mark.parametrize(("database", "user", "password"), CRAFTED)
def test_a_crafted_name_cannot_change_host_port_or_user(
    database: str, user: str, password: str
) -> None:
    url = (
        f"postgresql://{quote(user, safe='')}:{quote(password, safe='')}@db.example:5433/"
        f"{quote(database, safe='')}?schema=s"
    )
    target = parse_database_url(url)
    params = conninfo_to_dict(psycopg_conninfo(target))
    assert params == {
        "host": "db.example",
        "port": "5433",
        "dbname": database,
        "user": user,
        "password": password,
    }
    engine_url = make_url(sqlalchemy_url(target))
    assert (engine_url.host, engine_url.port, engine_url.username) == ("db.example", 5433, user)
    assert (engine_url.database, engine_url.password) == (database, password)
    assert dict(engine_url.query) == {}
