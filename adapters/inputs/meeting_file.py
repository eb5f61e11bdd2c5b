"""The meeting file: one board meeting as TOML — attendance, resolutions and votes.

```toml
format = "planledger-meeting/1"
company = "INTL-FUNDS"
meeting_id = "INTL-2004-05-20"
date = 2004-05-20
called_for_plan = true
agenda = ["Continuance of the Class R Plan and Agreement"]
minutes = "Minutes of the regular meeting of May 20, 2004"
relief = "none"                       # or the id of a relief recorded (`board relief`)

[attendance]                          # director code = physical | telephone | video
D-ADAMS = "physical"

[[resolutions]]
id = "INTL-2004-05-20-1"
kind = "continuance"                  # plan_approval, continuance, amendment, new_agreement,
fund_classes = ["INTL-BCV/R"]         # other_arrangement, termination, ratification
text = "RESOLVED, that the continuance ... is approved"
votes = { D-ADAMS = "for" }           # for | against | abstain
covers_through = 2005-05-30           # continuance: the plan year it continues (the next only)
```

Kind-specific keys: `covers_through` and `retroactive` (continuance); `amendment_id` and
`schedule_b` (an amendment of the rates), or `add_fund = { code, name, schedule_b }` (an
amendment adding a fund to Schedule A; its `fund_classes` names the new class; with
`offered_to_public = true` and `offered_to_public_source`, a class already offered to the
public, in effect only from its shareholders' vote, `shareholder-vote --subject add_fund`,
decision A17); `distributor`, `retroactive`, and `effective_on` (a date on or after the
meeting) or `on_assignment` (the reference of counsel's determination of the assignment it
follows) for a new agreement approved in advance (new_agreement, other_arrangement);
`effective_on` (termination, default the meeting date); `ratifies` (ratification);
`agreement_kind` (`A` to `D`, SEVENTH's sub-paragraph), `form_reference` (the form's document
name and version) and optionally `form_sha256` (the SHA-256 of its text) for an
`agreement_form` resolution, which approves a form of agreement related to the plan (Rule
12b-1(b)(2); decision A15): its `fund_classes` may be left out to approve the form for every
fund class the Company has when the meeting is recorded.
`retroactive = true` is recorded as an exception naming the days it claims, never as coverage.
Any approval may say `discussed_in_person_at = "MEETING-ID"`: the matter was fully considered
at that earlier in-person meeting (the 2019 staff letter's second case, decision A18).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from adapters.inputs.errors import InputError, InputProblem
from adapters.inputs.fields import TomlBool, TomlDate
from adapters.inputs.grammar import parse_rate
from adapters.inputs.plan_file import ScheduleBRow
from domain.board import MeetingRecord, ResolutionRecord
from domain.governance import NO_RELIEF, AttendanceMode, ResolutionKind, Vote
from domain.plan import ScheduleBRates
from domain.service import AgreementKind

MEETING_FORMAT = "planledger-meeting/1"
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AddFundRow(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]
    name: Text
    schedule_b: ScheduleBRow
    # Rule 12b-1(b)(1): a class already offered to the public needs its shareholders' vote;
    # the source is what shows it was offered (a prospectus, a registration statement).
    offered_to_public: TomlBool = False
    offered_to_public_source: str = ""

    @model_validator(mode="after")
    def _source_given(self) -> AddFundRow:
        if self.offered_to_public and not self.offered_to_public_source.strip():
            raise ValueError("offered_to_public = true needs offered_to_public_source")
        return self


class ResolutionRow(_Strict):
    id: Text
    kind: ResolutionKind
    # Required, except by an agreement_form resolution (left out: the whole Company).
    fund_classes: list[Text] = Field(default_factory=list)
    text: Text
    votes: dict[str, Vote]
    finding: str = ""
    covers_through: TomlDate | None = None
    retroactive: TomlBool = False
    amendment_id: str | None = None
    schedule_b: ScheduleBRow | None = None
    distributor: str | None = None
    effective_on: TomlDate | None = None
    ratifies: str | None = None
    add_fund: AddFundRow | None = None
    on_assignment: Annotated[str, Field(min_length=1)] | None = None
    discussed_in_person_at: str | None = None
    agreement_kind: AgreementKind | None = None
    form_reference: Text | None = None
    form_sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None

    @model_validator(mode="after")
    def _kind_needs(self) -> ResolutionRow:
        needs = {
            ResolutionKind.CONTINUANCE: ["covers_through"],
            ResolutionKind.AMENDMENT: ["schedule_b"],
            ResolutionKind.NEW_AGREEMENT: ["distributor"],
            ResolutionKind.OTHER_ARRANGEMENT: ["distributor"],
            ResolutionKind.RATIFICATION: ["ratifies"],
            ResolutionKind.AGREEMENT_FORM: ["agreement_kind", "form_reference"],
        }.get(self.kind, [])
        if self.kind is ResolutionKind.AMENDMENT and self.add_fund is not None:
            needs = []
        missing = [name for name in needs if getattr(self, name) is None]
        if not self.fund_classes and self.kind is not ResolutionKind.AGREEMENT_FORM:
            missing.insert(0, "fund_classes")
        if missing:
            article = "an" if self.kind.value[0] in "aeiou" else "a"
            raise ValueError(f"{article} {self.kind.value} resolution needs {', '.join(missing)}")
        agreement = (ResolutionKind.NEW_AGREEMENT, ResolutionKind.OTHER_ARRANGEMENT)
        if self.on_assignment is not None and self.kind not in agreement:
            raise ValueError("on_assignment is for a new_agreement or other_arrangement")
        if self.on_assignment is not None and self.effective_on is not None:
            raise ValueError("a new agreement takes effect on effective_on or on_assignment")
        return self

    def terms(self) -> dict[str, Any]:
        terms: dict[str, Any] = {"retroactive": self.retroactive}
        if self.finding:
            terms["finding"] = self.finding
        for name in (
            "covers_through",
            "distributor",
            "effective_on",
            "ratifies",
            "on_assignment",
            "discussed_in_person_at",
        ):
            value = getattr(self, name)
            if value is not None:
                terms[name] = value
        if self.agreement_kind is not None:
            terms["agreement_kind"] = self.agreement_kind.value
        for name in ("form_reference", "form_sha256"):
            value = getattr(self, name)
            if value is not None:
                terms[name] = value
        if self.add_fund is not None:
            rates = schedule_b_rates(self.add_fund.schedule_b)
            terms["add_fund"] = {
                "fund_code": self.add_fund.code,
                "fund_name": self.add_fund.name,
                "absc_rate_annual": rates.absc_rate_annual,
                "service_rate_annual_max": rates.service_rate_annual_max,
                "total_rate_annual_max": rates.total_rate_annual_max,
            }
            if self.add_fund.offered_to_public:
                terms["add_fund"]["offered_to_public"] = True
                terms["add_fund"]["offered_to_public_source"] = (
                    self.add_fund.offered_to_public_source
                )
        if self.schedule_b is not None:
            terms["amendment_id"] = self.amendment_id or self.id
            rates = schedule_b_rates(self.schedule_b)
            terms["absc_rate_annual"] = rates.absc_rate_annual
            terms["service_rate_annual_max"] = rates.service_rate_annual_max
            terms["total_rate_annual_max"] = rates.total_rate_annual_max
        return terms


class MeetingFile(_Strict):
    format: Text
    company: Text
    meeting_id: Text
    date: TomlDate
    called_for_plan: TomlBool
    agenda: list[Text]
    minutes: Text
    relief: Text = NO_RELIEF
    attendance: dict[str, AttendanceMode]
    resolutions: list[ResolutionRow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> MeetingFile:
        if self.format != MEETING_FORMAT:
            raise ValueError(f"format must be {MEETING_FORMAT!r}")
        for resolution in self.resolutions:
            absent = sorted(set(resolution.votes) - set(self.attendance))
            if absent:
                raise ValueError(
                    f"resolution {resolution.id}: {', '.join(absent)} voted but did not attend"
                )
        return self


def schedule_b_rates(row: ScheduleBRow) -> ScheduleBRates:
    return ScheduleBRates(
        parse_rate(row.asset_based_sales_charge),
        parse_rate(row.maximum_service_fee),
        parse_rate(row.maximum_total),
    )


def read_meeting_file(path: Path) -> tuple[str, MeetingRecord]:
    """Parse and check a meeting file; returns the company code and the meeting.

    Raises:
        InputError: naming the file and the field of every problem.
    """
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError([InputProblem(name, None, None, f"cannot read: {error}")]) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError([InputProblem(name, None, None, f"not valid TOML: {error}")]) from None
    try:
        parsed = MeetingFile.model_validate(raw)
    except ValidationError as error:
        raise InputError(
            [
                InputProblem(
                    name,
                    None,
                    ".".join(str(part) for part in item["loc"]) or None,
                    item["msg"].removeprefix("Value error, "),
                )
                for item in error.errors()
            ]
        ) from None
    return parsed.company, MeetingRecord(
        meeting_id=parsed.meeting_id,
        meeting_date=parsed.date,
        called_for_plan=parsed.called_for_plan,
        agenda=list(parsed.agenda),
        attendance=dict(parsed.attendance),
        relief=parsed.relief,
        minutes_reference=parsed.minutes,
        resolutions=[
            ResolutionRecord(
                resolution_id=row.id,
                kind=row.kind,
                fund_classes=list(row.fund_classes),
                text=row.text,
                votes=dict(row.votes),
                terms=row.terms(),
            )
            for row in parsed.resolutions
        ],
    )
