"""Fixtures shared by the integration tests (tests/conftest.py has the databases)."""

from tests.integration.scenario import frozen_ledger, quarter, read_models

__all__ = ["frozen_ledger", "quarter", "read_models"]
