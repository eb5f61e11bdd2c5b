"""The daily net assets of a fund class, the basis of its accruals (SECOND, Schedule B): a
figure is recorded once; a different figure for a day recorded or accrued is a restatement,
which needs a reason and corrects the days accrued on the old figure (corrections_role.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.errors import RuleViolation
from domain.events import LedgerEvent, Provenance, provenance_fields
from domain.fund_class.accrual_plan import RECORDED, RESTATED, UNCHANGED
from domain.fund_class.cap_recompute import CapInputs
from domain.fund_class.corrections_role import CorrectionsRole
from domain.records import differs_from_recorded, restated_fields, restatement_key


class NetAssetsRole(CorrectionsRole):
    """Check and record a day's net assets, or restate them."""

    class NetAssetsRecorded(LedgerEvent):
        TOPIC = "planledger.FundClass.NetAssetsRecorded"
        net_assets: Decimal

        def apply(self, fund_class: NetAssetsRole) -> None:
            fund_class.net_assets_by_date[self.business_date.isoformat()] = self.net_assets

    class NetAssetsRestated(LedgerEvent):
        TOPIC = "planledger.FundClass.NetAssetsRestated"
        net_assets: Decimal
        net_assets_previous: Decimal | None
        reason: str

        def apply(self, fund_class: NetAssetsRole) -> None:
            fund_class.net_assets_by_date[self.business_date.isoformat()] = self.net_assets

    def check_net_assets(self, day: date, net_assets: Decimal) -> str | None:
        """Why recording this figure needs a restatement, or None if it does not."""
        recorded = self.net_assets_by_date.get(day.isoformat())
        differs = differs_from_recorded(self.key, day, recorded, net_assets)
        if differs is not None:
            return differs
        if recorded is None and self.last_accrued_day is not None and day <= self.last_accrued_day:
            return (
                f"{self.key} {day}: that day was already accrued on the basis of an earlier figure"
            )
        return None

    def record_net_assets(
        self,
        day: date,
        net_assets: Decimal,
        provenance: Provenance,
        restatement_reason: str | None = None,
        cap_inputs: CapInputs | None = None,
    ) -> str:
        """Record the class's net assets for a day; idempotent for an identical figure.

        Raises:
            RuleViolation: the figure changes a recorded or accrued day and no reason was given.
        """
        recorded = self.net_assets_by_date.get(day.isoformat())
        if recorded == net_assets:
            return UNCHANGED
        problem = self.check_net_assets(day, net_assets)
        if problem is None:
            key = f"net-assets/{self.key}/{day}"
            self.trigger_event(
                self.NetAssetsRecorded,
                **provenance_fields(provenance, day, key),
                net_assets=net_assets,
            )
            return RECORDED
        if not restatement_reason:
            raise RuleViolation(
                "net-assets-restatement-required",
                "SECOND, Schedule B",
                f"{problem}; import it as a restatement with a reason",
            )
        key = restatement_key(
            f"net-assets-restatement/{self.key}", day, net_assets, self.version + 1
        )
        figures_before = dict(self.net_assets_by_date)
        self.trigger_event(
            self.NetAssetsRestated,
            **provenance_fields(provenance, day, key),
            **restated_fields(net_assets, recorded, restatement_reason),
        )
        # Days already accrued on the old figure are corrected now, in the same transaction.
        self.correct_accruals_after_restatement(
            day, figures_before, key, restatement_reason, provenance, cap_inputs=cap_inputs
        )
        return RESTATED
