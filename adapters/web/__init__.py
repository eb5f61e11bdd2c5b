"""The examiner's workbench: a read-only web view of the ledger at any point in time
(docs/web.md). Only `planledger serve` imports this room."""
