"""Reconciliation: the ledger held against the fund's books, the bank and the dealers
(docs/reconciliation.md). Pure: the records, the matcher, and the aggregates that record
statements, matches and breaks."""
