"""Deterministic aggregate ids from natural keys.

The namespace and the key formats are fixed for good: changing either would orphan history.
Creating an aggregate twice from the same key is then a conflict, never a duplicate.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "urn:planledger")


def fund_class_key(fund_code: str, share_class: str) -> str:
    return f"{fund_code}/{share_class}"


def fund_class_id(fund_code: str, share_class: str) -> UUID:
    return uuid5(NAMESPACE, f"fund-class/{fund_class_key(fund_code, share_class)}")


def service_arrangement_id(provider_code: str, fund_code: str, share_class: str) -> UUID:
    return uuid5(NAMESPACE, f"service-arrangement/{provider_code}/{fund_code}/{share_class}")


def plan_instrument_id(document_sha256: str) -> UUID:
    return uuid5(NAMESPACE, f"plan-instrument/{document_sha256}")
