"""The names the command definitions carry so that `--help` loads neither the domain nor the
ledger's modules are the names those modules use."""

from __future__ import annotations

from adapters.cli import cmd_audit, cmd_read, cmd_reconcile, cmd_record
from adapters.store import db_admin
from domain.expenditures import Performer, Purpose
from domain.reconciliation.dealers import AveragingMethod
from domain.reconciliation.records import StatementKind
from projections.journal import ENTITIES
from projections.rows import PROJECTIONS


def test_expenditure_choices_are_the_domain_values():
    assert tuple(purpose.value for purpose in Purpose) == cmd_record.PURPOSES
    assert tuple(performer.value for performer in Performer) == cmd_record.PERFORMERS


def test_rebuild_choices_are_the_read_models():
    assert set(cmd_read.PROJECTION_NAMES) == set(PROJECTIONS)


def test_entity_choices_are_the_journals_entities():
    assert cmd_read.ENTITY_NAMES == ENTITIES


def test_role_defaults_are_the_administration_defaults():
    assert cmd_audit.DEFAULT_WRITER == db_admin.DEFAULT_WRITER
    assert cmd_audit.DEFAULT_AUDITOR == db_admin.DEFAULT_AUDITOR


def test_the_default_database_is_the_store_default():
    from adapters.cli import params
    from adapters.store import persistence

    assert params.DEFAULT_DATABASE_URL == persistence.DEFAULT_DATABASE_URL


def test_reconcile_choices_are_the_domain_values():
    assert tuple(kind.value for kind in StatementKind) == cmd_reconcile.KINDS
    assert tuple(method.value for method in AveragingMethod) == cmd_reconcile.AVERAGING
