"""The `PlanInstrument` aggregate: the plan document as the ledger loaded it.

One stream per document hash. It records the instrument's parties and schedules exactly as
the plan file states them, with a digest of those terms, so that loading the same file again
changes nothing and loading different terms under the same document is caught.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import RuleViolation
from domain.event_building import DirectEvents
from domain.events import LedgerEvent, Provenance, payload_digest, provenance_fields
from domain.ids import plan_instrument_id
from domain.plan import PLAN_TYPE_BEFORE_IT_WAS_DATA, PlanTerms

# The plan's type is left out of the digest and compared on its own (`plan-type-changed`): an
# instrument recorded before the type was data keeps the digest it was stored with, so the
# same plan file loaded again is still recognised as the same plan (decision Q3a).
_NOT_DIGESTED = frozenset({"plan_type"})


def terms_digest(terms: PlanTerms) -> str:
    """The digest of the terms a reload must not change. A fund's fiscal year end is left
    out: it is not a term of the plan, and a plan file loaded before it was stated keeps its
    digest (decision F-board-1)."""
    digested = {name: value for name, value in asdict(terms).items() if name not in _NOT_DIGESTED}
    digested["funds"] = tuple(  # a tuple, as asdict gives it: the digest is of its text
        {name: value for name, value in fund.items() if name != "fiscal_year_end"}
        for fund in digested["funds"]
    )
    return payload_digest(sorted(digested.items()))


class PlanInstrument(DirectEvents, Aggregate):
    TOPIC = "planledger.PlanInstrument"

    class Event(LedgerEvent):
        pass

    class Created(Aggregate.Created):
        TOPIC = "planledger.PlanInstrument.Created"

    class PlanInstrumentRecorded(Aggregate.Created, Event):
        TOPIC = "planledger.PlanInstrument.PlanInstrumentRecorded"
        # Version 2 carries the plan's type (Form N-1A Item 19(g)); version 1 did not.
        class_version = 2
        plan_key: str
        title: str
        document_name: str
        document_sha256: str
        status_banner: str
        share_class: str
        distributor_name: str
        distributor_jurisdiction: str
        original_distributor_name: str
        original_agreement_date: str
        effective_date: date
        initial_term_end: date
        notice_address: str
        governing_law: str
        schedule_a: list[dict[str, Any]]
        schedule_b: list[dict[str, Any]]
        terms_digest: str
        plan_type: str  # a PlanType value: compensation or reimbursement

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Version 1 had no type: the code of then treated every plan as a compensation
            plan (decision Q3), so that is what such an instrument was recorded as."""
            state["plan_type"] = PLAN_TYPE_BEFORE_IT_WAS_DATA.value

    def __init__(
        self,
        *,
        plan_key: str,
        effective_date: date,
        document_sha256: str,
        terms_digest: str,
        schedule_b: list[dict[str, Any]],
        share_class: str,
        plan_type: str,
    ) -> None:
        # The library calls this when the stream is created, with the created event's fields
        # of the same names; state is set here, not by an annotation on the class, because
        # annotations would make the library turn the aggregate into a dataclass.
        self.plan_key = plan_key
        self.effective_date = effective_date
        self.document_sha256 = document_sha256
        self.terms_digest = terms_digest
        self.fund_codes: list[str] = [row["fund_code"] for row in schedule_b]
        self.fiscal_year_ends: dict[str, str] = {
            row["fund_code"]: row["fiscal_year_end"]
            for row in schedule_b
            if "fiscal_year_end" in row
        }
        self.share_class = share_class
        self.plan_type = plan_type
        self.documents_filed = False

    class DocumentsFiled(Event):
        """The plan document and the plan file themselves, kept in the ledger (Rule 12b-1(f)):
        text as it is if it is UTF-8, else base64."""

        TOPIC = "planledger.PlanInstrument.DocumentsFiled"
        document_name: str
        document_sha256: str
        document_encoding: str
        document_content: str
        plan_file_name: str
        plan_file_sha256: str
        plan_file_content: str

        def apply(self, instrument: PlanInstrument) -> None:
            instrument.documents_filed = True

    def file_documents(
        self,
        *,
        document_name: str,
        document: bytes,
        plan_file_name: str,
        plan_file_text: str,
        provenance: Provenance,
    ) -> None:
        """Keep the plan's text and its plan file in the ledger.

        Raises:
            RuleViolation: the text is not the document this instrument was loaded from.
        """
        digest = hashlib.sha256(document).hexdigest()
        if digest != self.document_sha256:
            raise RuleViolation(
                "plan-document-hash",
                "the instrument (decision Q22)",
                f"{document_name} has SHA-256 {digest}, not {self.document_sha256}",
            )
        try:
            encoding, content = "utf-8", document.decode("utf-8")
        except UnicodeDecodeError:
            encoding, content = "base64", base64.b64encode(document).decode("ascii")
        self.trigger_event(
            self.DocumentsFiled,
            **provenance_fields(provenance, self.effective_date, f"plan-documents/{digest}"),
            document_name=document_name,
            document_sha256=digest,
            document_encoding=encoding,
            document_content=content,
            plan_file_name=plan_file_name,
            plan_file_sha256=hashlib.sha256(plan_file_text.encode("utf-8")).hexdigest(),
            plan_file_content=plan_file_text,
        )

    @staticmethod
    def create_id(document_sha256: str) -> UUID:
        return plan_instrument_id(document_sha256)

    @classmethod
    def record(cls, terms: PlanTerms, provenance: Provenance) -> PlanInstrument:
        return cls._create(
            cls.PlanInstrumentRecorded,
            id=plan_instrument_id(terms.document_sha256),
            **provenance_fields(provenance, terms.effective_date, f"plan/{terms.document_sha256}"),
            plan_key=terms.plan_key,
            title=terms.title,
            document_name=terms.document_name,
            document_sha256=terms.document_sha256,
            status_banner=terms.status_banner,
            share_class=terms.share_class,
            distributor_name=terms.distributor_name,
            distributor_jurisdiction=terms.distributor_jurisdiction,
            original_distributor_name=terms.original_distributor_name,
            original_agreement_date=terms.original_agreement_date,
            effective_date=terms.effective_date,
            initial_term_end=terms.initial_term_end,
            notice_address=terms.notice_address,
            governing_law=terms.governing_law,
            schedule_a=[
                {
                    "company_code": company.code,
                    "company": company.name,
                    "jurisdiction": company.jurisdiction,
                    "fund_codes": list(company.fund_codes),
                }
                for company in terms.companies
            ],
            schedule_b=[
                {
                    "fund_code": fund.fund_code,
                    "fund_name": fund.fund_name,
                    "absc_rate_annual": fund.schedule_b.absc_rate_annual,
                    "service_rate_annual_max": fund.schedule_b.service_rate_annual_max,
                    "total_rate_annual_max": fund.schedule_b.total_rate_annual_max,
                    # Only when the plan file states it: other plans' events are as before.
                    **({"fiscal_year_end": fund.fiscal_year_end} if fund.fiscal_year_end else {}),
                }
                for fund in terms.funds
            ],
            terms_digest=terms_digest(terms),
            plan_type=terms.plan_type.value,
        )
