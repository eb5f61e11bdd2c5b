"""The log's contract for values (adapters/readside/event_fields.py)."""

from __future__ import annotations

from decimal import Decimal

from adapters.readside.event_fields import contract_fields, contract_value, decimal_text
from domain.fund_class import FundClass


def test_money_rates_and_other_decimals():
    assert decimal_text("amount", Decimal("136.9")) == "136.90"
    assert decimal_text("amount", Decimal("1E+2")) == "100.00"
    assert decimal_text("absc_rate_annual", Decimal("0.00250")) == "0.00250"
    assert decimal_text("rate_annual", Decimal("2.5E-3")) == "0.0025"
    assert decimal_text("absc_amount_exact", Decimal("1.2345678901")) == "1.2345678901"
    assert decimal_text("outstanding_shares", Decimal("100")) == "100"
    # Money the ledger kept beyond the cent is not rounded away.
    assert decimal_text("net_assets", Decimal("10.125")) == "10.125"


def test_nested_values_lose_the_library_tags():
    segments = [
        {
            "rate_annual": {"_type_": "decimal_str", "_data_": "0.0025"},
            "effective_from": {"_type_": "date_iso", "_data_": "2003-07-01"},
            "effective_to": None,
            "attested": True,
        }
    ]
    assert contract_value("rate_segments", segments) == [
        {"rate_annual": "0.0025", "effective_from": "2003-07-01", "effective_to": None,
         "attested": True}
    ]  # fmt: skip
    by_month = {"2003-07": {"_type_": "decimal_str", "_data_": "12.5"}}
    assert contract_value("taken_by_month", by_month) == {"2003-07": "12.50"}


def test_top_level_decimals_are_known_by_their_declaration():
    fields = contract_fields(
        {"reference": "100", "amount": "100", "reason": "x"},
        FundClass.DistributorPaymentReversed,
    )
    assert fields == {"reference": "100", "amount": "100.00", "reason": "x"}
