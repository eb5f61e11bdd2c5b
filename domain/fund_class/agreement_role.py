"""The end of the plan and of the agreement with the Distributor (FIRST, THIRTEENTH,
FOURTEENTH): termination by the Independent Board Members or by a vote of the class, the
Distributor's written notice, an assignment, a change of adviser, and a new agreement approved
after the end or in advance of it (decision Q11a). A fact recorded after the days it ends were
accrued reverses them (corrections_role.py; decision A19). An approval claiming days it cannot
cover is recorded as an exception (decisions Q6b, Q11a).

The rules are in governance.py and docs/governance.md.
"""

from __future__ import annotations

from datetime import date

from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accrual_plan import RECORDED, UNCHANGED
from domain.fund_class.cap_recompute import CapInputs
from domain.fund_class.corrections_role import CorrectionsRole
from domain.fund_class.governance import (
    ApprovalClaim,
    advance_start,
    assignment_key,
    check_agreement_approval,
    notice_key,
)
from domain.fund_class.records import AdvanceAgreementApproval, AgreementEvent
from domain.governance import NoticeMethod, earliest_distributor_termination, notice_effective_on
from domain.periods import ONE_DAY


class AgreementRole(CorrectionsRole):
    """Terminate the plan, end the agreement, restore it, and record approval exceptions."""

    class PlanTerminated(LedgerEvent):
        TOPIC = "planledger.FundClass.PlanTerminated"
        by: str
        reference: str
        effective_on: date

        def apply(self, fund_class: AgreementRole) -> None:
            fund_class.terminated_on = self.effective_on
            fund_class.termination_reason = f"by {self.by}, {self.reference}"

    class AgreementTerminated(LedgerEvent):
        TOPIC = "planledger.FundClass.AgreementTerminated"
        reason: str
        reference: str
        effective_on: date

        def apply(self, fund_class: AgreementRole) -> None:
            fund_class.agreement_changes.append(
                AgreementEvent(self.effective_on, False, self.reason)
            )

    class TerminationNoticeGiven(LedgerEvent):
        TOPIC = "planledger.FundClass.TerminationNoticeGiven"
        by: str
        method: str
        sent_on: date
        received_on: date | None
        notice_effective_on: date
        termination_effective_on: date
        document_reference: str

    class AssignmentRecorded(LedgerEvent):
        TOPIC = "planledger.FundClass.AssignmentRecorded"
        description: str
        rule_2a6_exempt: bool
        determination_reference: str

    class AgreementRestored(LedgerEvent):
        TOPIC = "planledger.FundClass.AgreementRestored"
        kind: str
        resolution_id: str
        distributor_name: str
        effective_on: date
        retroactive: bool

        def apply(self, fund_class: AgreementRole) -> None:
            reason = f"{self.kind.replace('_', ' ')} with {self.distributor_name}"
            fund_class.agreement_changes.append(
                AgreementEvent(self.effective_on, True, reason, self.resolution_id)
            )
            fund_class.advance_agreement_approvals = [
                row
                for row in fund_class.advance_agreement_approvals
                if row.resolution_id != self.resolution_id
            ]

    class AgreementApprovedInAdvance(LedgerEvent):
        """Approved before the agreement ended: in effect from the end it replaces, or from
        `effective_on` if later, or on the assignment `on_assignment` (decision Q11a)."""

        TOPIC = "planledger.FundClass.AgreementApprovedInAdvance"
        kind: str
        resolution_id: str
        distributor_name: str
        effective_on: date | None
        on_assignment: str | None

        def apply(self, fund_class: AgreementRole) -> None:
            fund_class.advance_agreement_approvals.append(
                AdvanceAgreementApproval(
                    self.resolution_id,
                    self.kind,
                    self.distributor_name,
                    self.business_date,
                    self.effective_on,
                    self.on_assignment,
                )
            )

    class ApprovalExceptionRecorded(LedgerEvent):
        """An approval that claims days it cannot cover: a continuance passed after the plan
        lapsed, or a `retroactive` one (decisions Q6b, Q11a). Recorded, never coverage."""

        TOPIC = "planledger.FundClass.ApprovalExceptionRecorded"
        resolution_id: str
        meeting_id: str
        subject: str
        claims_from: date
        claims_through: date
        retroactive: bool
        reason: str

        def apply(self, fund_class: AgreementRole) -> None:
            fund_class.approval_exception_resolutions.append(self.resolution_id)

    def terminate_by_independent_board_members(
        self,
        resolution_id: str,
        effective_on: date,
        provenance: Provenance,
        *,
        cap_inputs: CapInputs | None = None,
    ) -> None:
        """THIRTEENTH (A); recorded however late (decision A19). `cap_inputs`: needed if the
        days it ends were charged to the aggregate-cap account."""
        self._guard().check_not_terminated("terminating the plan")
        self._check_late_fact(effective_on, cap_inputs)
        self._trigger_plan_termination(
            "a vote of a majority of the Independent Board Members",
            resolution_id,
            effective_on,
            provenance,
            cap_inputs,
        )

    def _trigger_plan_termination(
        self,
        by: str,
        reference: str,
        effective_on: date,
        provenance: Provenance,
        cap_inputs: CapInputs | None,
    ) -> None:
        before = self.standing()
        key = f"plan-termination/{self.key}/{reference}"
        self.trigger_event(
            self.PlanTerminated,
            **provenance_fields(provenance, effective_on, key),
            by=by,
            reference=reference,
            effective_on=effective_on,
        )
        # FIRST: "Termination of the Plan will automatically terminate the Agreement."
        self._trigger_agreement_end("the plan was terminated", reference, effective_on, provenance)
        reason = f"the plan was terminated by {by}"
        self._book_late_fact(
            before,
            effective_on,
            cause=key,
            reason=reason,
            provenance=provenance,
            cap_inputs=cap_inputs,
        )

    def _trigger_agreement_end(
        self, reason: str, reference: str, effective_on: date, provenance: Provenance
    ) -> None:
        key = f"agreement-end/{self.key}/{reference}"
        self.trigger_event(
            self.AgreementTerminated,
            **provenance_fields(provenance, effective_on, key),
            reason=reason,
            reference=reference,
            effective_on=effective_on,
        )

    def give_distributor_notice(
        self,
        *,
        method: NoticeMethod,
        sent_on: date,
        received_on: date | None,
        termination_effective_on: date,
        document_reference: str,
        provenance: Provenance,
        cap_inputs: CapInputs | None = None,
    ) -> date:
        """The Distributor's written notice ending the agreement (THIRTEENTH (A), FOURTEENTH).

        Returns:
            The date the notice took effect.
        """
        effective = self._check_notice(
            method, sent_on, received_on, termination_effective_on, document_reference
        )
        self._check_late_fact(termination_effective_on, cap_inputs)
        before = self.standing()
        key = notice_key(self.key, document_reference)
        self.trigger_event(
            self.TerminationNoticeGiven,
            **provenance_fields(provenance, sent_on, key),
            by="distributor",
            method=method.value,
            sent_on=sent_on,
            received_on=received_on,
            notice_effective_on=effective,
            termination_effective_on=termination_effective_on,
            document_reference=document_reference,
        )
        reason = f"the Distributor's notice of {sent_on}"
        self._trigger_agreement_end(
            reason, document_reference, termination_effective_on, provenance
        )
        # A new agreement approved in advance for this end takes effect first, so its
        # days are not reversed as out of effect (decision Q11a).
        self._restore_from_advance(termination_effective_on, None, provenance)
        self._book_late_fact(
            before,
            termination_effective_on,
            cause=key,
            reason=reason,
            provenance=provenance,
            cap_inputs=cap_inputs,
        )
        return effective

    def _check_notice(
        self,
        method: NoticeMethod,
        sent_on: date,
        received_on: date | None,
        termination_effective_on: date,
        document_reference: str,
    ) -> date:
        """The date a notice takes effect, once it is found in writing and long enough."""
        if not document_reference.strip():
            raise RuleViolation(
                "notice-in-writing",
                "FOURTEENTH",
                f"{self.key}: a notice is in writing; give the reference of the document",
            )
        guard = self._guard()
        guard.check_not_terminated("a termination notice")
        effective = notice_effective_on(method, sent_on, received_on)
        earliest = earliest_distributor_termination(effective)
        if termination_effective_on < earliest:
            raise RuleViolation(
                "notice-period",
                "THIRTEENTH (A): sixty (60) days' written notice",
                f"{self.key}: the notice took effect on {effective}, so the agreement may end "
                f"on {earliest} at the earliest, not {termination_effective_on}",
            )
        return effective

    def record_assignment(
        self,
        *,
        occurred_on: date,
        description: str,
        rule_2a6_exempt: bool,
        determination_reference: str,
        provenance: Provenance,
        cap_inputs: CapInputs | None = None,
    ) -> None:
        """THIRTEENTH (C): the agreement ends automatically on an assignment (§2(a)(4)) that
        does not change actual control or management (Rule 2a-6) is not one."""
        if not rule_2a6_exempt:
            self._check_late_fact(occurred_on, cap_inputs)
        before = self.standing()
        key = assignment_key(self.key, determination_reference)
        self.trigger_event(
            self.AssignmentRecorded,
            **provenance_fields(provenance, occurred_on, key),
            description=description,
            rule_2a6_exempt=rule_2a6_exempt,
            determination_reference=determination_reference,
        )
        if not rule_2a6_exempt:
            reason = "an assignment (§2(a)(4))"
            self._trigger_agreement_end(reason, determination_reference, occurred_on, provenance)
            # A new agreement approved in advance for this end takes effect first, so its
            # days are not reversed as out of effect (decision Q11a).
            self._restore_from_advance(occurred_on, determination_reference, provenance)
            self._book_late_fact(
                before,
                occurred_on,
                cause=key,
                reason=reason,
                provenance=provenance,
                cap_inputs=cap_inputs,
            )

    def end_agreement_for_adviser_change(
        self,
        effective_on: date,
        adviser_name: str,
        reference: str,
        provenance: Provenance,
        *,
        cap_inputs: CapInputs | None = None,
    ) -> None:
        """THIRTEENTH (B): the agreement ends when no affiliate of the Distributor advises."""
        self._check_late_fact(effective_on, cap_inputs)
        before = self.standing()
        reason = f"{adviser_name}, not affiliated with the Distributor, became the adviser"
        self._trigger_agreement_end(reason, reference, effective_on, provenance)
        key = f"agreement-end/{self.key}/{reference}"
        # A new agreement approved in advance for this end takes effect first, so its
        # days are not reversed as out of effect (decision Q11a).
        self._restore_from_advance(effective_on, None, provenance)
        self._book_late_fact(
            before,
            effective_on,
            cause=key,
            reason=reason,
            provenance=provenance,
            cap_inputs=cap_inputs,
        )

    def restore_agreement(
        self,
        *,
        kind: str,
        resolution_id: str,
        approved_on: date,
        distributor_name: str,
        meeting_id: str = "",
        effective_on: date | None = None,
        on_assignment: str | None = None,
        retroactive: bool,
        provenance: Provenance,
    ) -> str:
        """A new agreement or other arrangement approved by the board (THIRTEENTH (C)): after
        the agreement ended, in effect from its approval or its later `effective_on`; before,
        in advance, from the end it replaces (decision Q11a). Never before its approval: a
        `retroactive` claim is recorded as an exception."""
        recorded = [row.resolution_id for row in self.agreement_changes]
        recorded += [row.resolution_id for row in self.advance_agreement_approvals]
        if resolution_id in [*recorded, *self.approval_exception_resolutions]:
            return UNCHANGED
        self._guard().check_not_terminated("a new agreement")
        check_agreement_approval(self.key, approved_on, effective_on, on_assignment)
        approval = AdvanceAgreementApproval(
            resolution_id, kind, distributor_name, approved_on, effective_on, on_assignment
        )
        changes = self.standing().agreement_changes
        if not changes or changes[-1].in_effect:
            self._approve_in_advance(approval, provenance)
        else:
            self._replace_ended_agreement(
                approval, changes[-1].effective_on, (meeting_id, retroactive), provenance
            )
        return RECORDED

    def _approve_in_advance(
        self, approval: AdvanceAgreementApproval, provenance: Provenance
    ) -> None:
        """Approved before the agreement ended: it waits for the end (decision Q11a)."""
        kind = approval.kind.replace("_", " ")
        if approval.effective_on is None and approval.on_assignment is None:
            raise RuleViolation(
                "agreement-in-effect",
                "THIRTEENTH (C)",
                f"{self.key}: the agreement with the Distributor has not ended by "
                f"{approval.approved_on}; there is nothing to replace (a new agreement approved "
                f"in advance names its effective date or the assignment it follows)",
            )
        if self.advance_agreement_approvals:
            waiting = self.advance_agreement_approvals[0]
            raise RuleViolation(
                "agreement-approval-pending",
                "THIRTEENTH (C) (decision Q11a)",
                f"{self.key}: {waiting.kind.replace('_', ' ')} {waiting.resolution_id} of "
                f"{waiting.approved_on} already waits to replace the agreement; {kind} "
                f"{approval.resolution_id} with {approval.distributor_name} cannot wait too",
            )
        key = f"agreement-advance/{self.key}/{approval.resolution_id}"
        self.trigger_event(
            self.AgreementApprovedInAdvance,
            **provenance_fields(provenance, approval.approved_on, key),
            kind=approval.kind,
            resolution_id=approval.resolution_id,
            distributor_name=approval.distributor_name,
            effective_on=approval.effective_on,
            on_assignment=approval.on_assignment,
        )

    def _replace_ended_agreement(
        self,
        approval: AdvanceAgreementApproval,
        ended_on: date,
        meeting_and_flag: tuple[str, bool],
        provenance: Provenance,
    ) -> None:
        """Approved once the agreement ended (or its end was recorded): in effect from the
        approval, or its later date, or the end if that is later still."""
        approved_on = approval.approved_on
        if approval.on_assignment is not None and ended_on < approved_on:
            raise RuleViolation(
                "agreement-effective-before-approval",
                "THIRTEENTH (C) (decision Q11a)",
                f"{self.key}: the agreement already ended on {ended_on}, before this approval "
                f"on {approved_on}; a new agreement covers days from its own approval on",
            )
        start = max(ended_on, approval.effective_on or approved_on)
        self._guard().check_not_accrued(start, "the new agreement", "THIRTEENTH (C)")
        self._trigger_restoration(
            kind=approval.kind,
            resolution_id=approval.resolution_id,
            distributor_name=approval.distributor_name,
            business_date=approved_on,
            effective_on=start,
            provenance=provenance,
        )
        meeting_id, retroactive = meeting_and_flag
        if retroactive and ended_on < start:
            claim = ApprovalClaim(
                approval.resolution_id, meeting_id, approval.kind, ended_on, start - ONE_DAY, True
            )
            self._trigger_exception(
                claim,
                f"the agreement ended on {ended_on}; a new agreement or other arrangement "
                f"covers days from its own approval on, never before it (THIRTEENTH (C): "
                f"payments continue 'only upon the approval of a new agreement')",
                f"agreement-restored/{self.key}/{approval.resolution_id}/retroactive",
                approved_on,
                provenance,
            )

    def _trigger_restoration(
        self,
        *,
        kind: str,
        resolution_id: str,
        distributor_name: str,
        business_date: date,
        effective_on: date,
        provenance: Provenance,
    ) -> None:
        key = f"agreement-restored/{self.key}/{resolution_id}"
        self.trigger_event(
            self.AgreementRestored,
            **provenance_fields(provenance, business_date, key),
            kind=kind,
            resolution_id=resolution_id,
            distributor_name=distributor_name,
            effective_on=effective_on,
            # An approval covers days from its own date on; a claim of earlier days is an
            # `ApprovalExceptionRecorded`, never this flag (decision Q11a).
            retroactive=False,
        )

    def _restore_from_advance(
        self, ended_on: date, assignment_reference: str | None, provenance: Provenance
    ) -> None:
        """The agreement ended: a new one approved in advance for this end takes effect."""
        for pending in list(self.advance_agreement_approvals):
            start = advance_start(pending, ended_on, assignment_reference)
            if start is not None:
                self._trigger_restoration(
                    kind=pending.kind,
                    resolution_id=pending.resolution_id,
                    distributor_name=pending.distributor_name,
                    business_date=ended_on,
                    effective_on=start,
                    provenance=provenance,
                )

    def _trigger_exception(
        self,
        claim: ApprovalClaim,
        reason: str,
        key: str,
        approved_on: date,
        provenance: Provenance,
    ) -> None:
        self.trigger_event(
            self.ApprovalExceptionRecorded,
            **provenance_fields(provenance, approved_on, key),
            resolution_id=claim.resolution_id,
            meeting_id=claim.meeting_id,
            subject=claim.subject,
            claims_from=claim.claims_from,
            claims_through=claim.claims_through,
            retroactive=claim.retroactive,
            reason=reason,
        )
