"""A write refused by a read-only server (a replica) is bad input naming the server, not a
bug: the driver's error is found however the event library and SQLAlchemy wrap it."""

from __future__ import annotations

from adapters.cli.running import refused_as_read_only


class DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__("cannot execute INSERT in a read-only transaction")
        self.sqlstate = sqlstate


class WrappedError(Exception):
    def __init__(self, orig: BaseException) -> None:
        super().__init__(str(orig))
        self.orig = orig


def raised_from(outer: Exception, inner: BaseException) -> Exception:
    try:
        raise outer from inner
    except Exception as error:
        return error


def test_the_driver_error_itself_and_wrapped_by_orig_and_by_cause_are_found() -> None:
    driver = DriverError("25006")
    assert refused_as_read_only(driver)
    assert refused_as_read_only(WrappedError(driver))
    assert refused_as_read_only(raised_from(RuntimeError("library"), WrappedError(driver)))


def test_another_database_error_is_not_taken_for_a_read_only_server() -> None:
    assert not refused_as_read_only(DriverError("23505"))  # a unique violation: a race or a bug
    assert not refused_as_read_only(raised_from(RuntimeError("x"), ValueError("y")))
    assert not refused_as_read_only(RuntimeError("no cause"))
