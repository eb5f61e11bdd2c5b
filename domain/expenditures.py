"""The purposes FIFTH lets the plan fee pay for, and who may carry them out.

Amounts payable under SECOND compensate the Distributor for "any activity which is primarily
intended to result in the sale of the Class R Shares", including the listed ones, carried out
"either by Distributor's own staff, the staff of affiliated companies of the Distributor, or
third parties". The quarterly report (FOURTH) groups expenditures by these purposes.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any

from domain.events import payload_digest


class Purpose(Enum):
    SALES_SEMINARS = "sales_seminars"
    ADVERTISING = "advertising"
    FINDERS_FEES = "finders_fees"
    PRINTING_FOR_PROSPECTIVE_SHAREHOLDERS = "printing_for_prospective_shareholders"
    ADVERTISING_MATERIAL_AND_SALES_LITERATURE = "advertising_material_and_sales_literature"
    SUPPLEMENTAL_DEALER_PAYMENTS = "supplemental_dealer_payments"
    OTHER_AGREED_SERVICES = "other_agreed_services"

    @property
    def label(self) -> str:
        return PURPOSE_LABELS[self]

    @property
    def short_label(self) -> str:
        """A few words, for chart axes."""
        return PURPOSE_SHORT_LABELS[self]


PURPOSE_LABELS = {
    Purpose.SALES_SEMINARS: "Organizing and conducting sales seminars",
    Purpose.ADVERTISING: "Advertising programs",
    Purpose.FINDERS_FEES: "Finders fees",
    Purpose.PRINTING_FOR_PROSPECTIVE_SHAREHOLDERS: (
        "Printing of prospectuses, statements of additional information and reports for other "
        "than existing shareholders"
    ),
    Purpose.ADVERTISING_MATERIAL_AND_SALES_LITERATURE: (
        "Preparation and distribution of advertising material and sales literature"
    ),
    Purpose.SUPPLEMENTAL_DEALER_PAYMENTS: (
        "Supplemental payments to dealers and other institutions as asset-based sales charges"
    ),
    Purpose.OTHER_AGREED_SERVICES: "Other services and activities agreed upon by the Company",
}


PURPOSE_SHORT_LABELS = {
    Purpose.SALES_SEMINARS: "Sales seminars",
    Purpose.ADVERTISING: "Advertising",
    Purpose.FINDERS_FEES: "Finders fees",
    Purpose.PRINTING_FOR_PROSPECTIVE_SHAREHOLDERS: "Printing for prospects",
    Purpose.ADVERTISING_MATERIAL_AND_SALES_LITERATURE: "Sales literature",
    Purpose.SUPPLEMENTAL_DEALER_PAYMENTS: "Dealer payments",
    Purpose.OTHER_AGREED_SERVICES: "Other agreed services",
}


class Performer(Enum):
    DISTRIBUTOR = "distributor"
    AFFILIATE = "affiliate"
    THIRD_PARTY = "third_party"


_EXPENDITURE_FIELDS = (
    "purpose",
    "performer",
    "performer_name",
    "amount",
    "period_start",
    "period_end_exclusive",
    "description",
    "reference",
    "company_agreement_reference",
)


def expenditure_digest_of(incurred_on: date, fields: dict[str, Any]) -> str:
    return payload_digest(incurred_on, *(fields[name] for name in _EXPENDITURE_FIELDS))


def expenditure_digest(event: Any) -> str:
    fields = {name: getattr(event, name) for name in _EXPENDITURE_FIELDS}
    return expenditure_digest_of(event.business_date, fields)
