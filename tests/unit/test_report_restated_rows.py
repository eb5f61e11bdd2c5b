"""A restatement moves a figure alike in the quarter and in each year to date that holds it:
the board reads it once, with the columns named, in the report's order, then the months."""

from __future__ import annotations

from adapters.outputs.report_tables import restated_rows

COLUMNS = [
    {"section": "quarter_figures", "heading": "2003Q3"},
    {"section": "prior_quarter", "heading": "Prior quarter"},
    {"section": "year_to_date", "heading": "Calendar year to date"},
    {"section": "fiscal_year_to_date", "heading": "Fiscal year to date"},
]


def moved(figure: str, before: str, after: str, delta: str) -> dict[str, str]:
    return {"figure": figure, "as_issued": before, "now": after, "difference": delta}


def test_a_figure_moved_alike_in_several_columns_is_one_row_naming_them() -> None:
    report = {
        "columns": COLUMNS,
        "restated": {
            "figures": [
                moved("fiscal_year_to_date.accrued.total", "100.00", "90.00", "-10.00"),
                moved("monthly[2003-09].accrued", "40.00", "30.00", "-10.00"),
                moved("quarter_figures.accrued.total", "100.00", "90.00", "-10.00"),
                moved("year_to_date.accrued.total", "250.00", "240.00", "-10.00"),
                moved("quarter_figures.accrued_less_paid", "0.00", "-10.00", "-10.00"),
            ]
        },
    }
    assert [(row.label, row.as_issued, row.now) for row in restated_rows(report)] == [
        ("accrued less paid (2003Q3)", "0.00", "-10.00"),
        ("accrued: total (2003Q3, Fiscal year to date)", "100.00", "90.00"),
        ("accrued: total (Calendar year to date)", "250.00", "240.00"),
        ("accrued (2003-09)", "40.00", "30.00"),
    ]


def test_a_report_not_restated_has_no_rows() -> None:
    assert restated_rows({"columns": COLUMNS}) == []
