"""Imports of dated figures and records from CSV files: every row or none.

Net assets and provider positions are dated figures (a changed one needs a restatement);
expenditures, gross sales and sales charges are records each row adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.application.bulk import Progress, bulk, no_progress
from adapters.application.commands import (
    ImportExpenditures,
    ImportGrossSales,
    ImportNetAssets,
    ImportPositions,
    ImportSalesCharges,
)
from adapters.application.csv_import import (
    FigureCheck,
    RowImport,
    arrangements_for,
    fund_classes_for,
    import_csv,
    position_owner,
    unique_rows,
)
from adapters.application.ports import Ports
from adapters.application.summaries import ImportSummary
from domain.events import Provenance
from domain.fund_class import FundClass
from domain.service import ServiceArrangement

if TYPE_CHECKING:
    from adapters.inputs.csv_files import (
        ExpenditureRow,
        GrossSalesRow,
        NetAssetsRow,
        PositionRow,
        SalesChargeRow,
    )


@dataclass(frozen=True)
class FigureImports:
    ports: Ports

    @bulk
    def import_net_assets(
        self, command: ImportNetAssets, progress: Progress = no_progress
    ) -> ImportSummary:
        """Record a file of daily class net assets.

        Raises:
            InputError: unknown fund classes, conflicting duplicate rows.
            RuleViolations: changed figures without a restatement reason.
        """
        csv_file, reason = command.csv_file, command.restatement_reason
        rows = unique_rows(csv_file, lambda record: (record.fund, record.share_class))
        fund_classes = fund_classes_for(self.ports, csv_file, rows)
        cap_inputs = {key: self.ports.cap_inputs(owner) for key, owner in fund_classes.items()}

        def record(owner: FundClass, row: NetAssetsRow, provenance: Provenance) -> str:
            # A restatement reaching the cap account recomputes it (decision A3).
            inputs = cap_inputs[(row.fund, row.share_class)]
            return owner.record_net_assets(row.date, row.net_assets, provenance, reason, inputs)

        how: RowImport[NetAssetsRow, FundClass] = RowImport(
            owner=lambda row: fund_classes[(row.fund, row.share_class)],
            record=record,
            figure_check=FigureCheck(
                check=lambda owner, row: owner.check_net_assets(row.date, row.net_assets),
                rule=("net-assets-restatement-required", "SECOND, Schedule B"),
                is_restatement=reason is not None,
            ),
        )
        return import_csv(self.ports, csv_file, rows, how, progress)

    @bulk
    def import_positions(
        self, command: ImportPositions, progress: Progress = no_progress
    ) -> ImportSummary:
        """Record a file of provider positions (as for net assets)."""
        csv_file, reason = command.csv_file, command.restatement_reason
        rows = unique_rows(csv_file, position_owner)
        arrangements = arrangements_for(self.ports, csv_file, rows)

        def record(owner: ServiceArrangement, row: PositionRow, provenance: Provenance) -> str:
            return owner.record_position(row.date, row.net_assets, provenance, reason)

        how: RowImport[PositionRow, ServiceArrangement] = RowImport(
            owner=lambda row: arrangements[position_owner(row)],
            record=record,
            figure_check=FigureCheck(
                check=lambda owner, row: owner.check_position(row.date, row.net_assets),
                rule=("provider-position-restatement-required", "SEVENTH"),
                is_restatement=reason is not None,
            ),
        )
        return import_csv(self.ports, csv_file, rows, how, progress)

    def import_expenditures(self, command: ImportExpenditures) -> ImportSummary:
        """Record a file of FIFTH expenditures."""
        csv_file = command.csv_file
        fund_classes = fund_classes_for(self.ports, csv_file, csv_file.rows)

        def record(owner: FundClass, row: ExpenditureRow, provenance: Provenance) -> str:
            return owner.record_expenditure(
                incurred_on=row.incurred_on,
                period=row.parsed_period,
                purpose=row.purpose,
                performer=row.performer,
                performer_name=row.performer_name,
                amount=row.amount,
                description=row.description,
                reference=row.reference,
                company_agreement_reference=row.company_agreement_reference,
                provenance=provenance,
            )

        how: RowImport[ExpenditureRow, FundClass] = RowImport(
            owner=lambda row: fund_classes[(row.fund, row.share_class)], record=record
        )
        return import_csv(self.ports, csv_file, csv_file.rows, how)

    def import_gross_sales(self, command: ImportGrossSales) -> ImportSummary:
        """Record a file of daily gross sales (the FINRA cap account)."""
        csv_file = command.csv_file
        fund_classes = fund_classes_for(self.ports, csv_file, csv_file.rows)

        def record(owner: FundClass, row: GrossSalesRow, provenance: Provenance) -> str:
            return owner.record_gross_sales(
                row.date, row.gross_sales, row.reinvested_distributions, row.exchanges, provenance
            )

        how: RowImport[GrossSalesRow, FundClass] = RowImport(
            owner=lambda row: fund_classes[(row.fund, row.share_class)], record=record
        )
        return import_csv(self.ports, csv_file, csv_file.rows, how)

    def import_sales_charges(self, command: ImportSalesCharges) -> ImportSummary:
        """Record a file of sales charges (the FINRA cap account)."""
        csv_file = command.csv_file
        fund_classes = fund_classes_for(self.ports, csv_file, csv_file.rows)

        def record(owner: FundClass, row: SalesChargeRow, provenance: Provenance) -> str:
            return owner.record_sales_charge(
                row.date, row.kind, row.amount, row.reference, provenance
            )

        how: RowImport[SalesChargeRow, FundClass] = RowImport(
            owner=lambda row: fund_classes[(row.fund, row.share_class)], record=record
        )
        return import_csv(self.ports, csv_file, csv_file.rows, how)
