#!/usr/bin/env bash
# The demo: a year of the Class R plan on a fresh SQLite ledger in a folder of its own.
#
# Loads the shipped plan, records the boards' approval of it and of the forms of agreement the
# providers' agreements are made on (June 2003) and its continuance (May 2004), generates
# deterministic net assets for both Schedule A funds from 2003-07-01 to 2004-06-30, records two
# service providers with their agreements and positions, accrues, pays the Distributor monthly
# and the providers quarterly, records FIFTH expenditures, and prints the balances and the
# compliance view. Then the audit: a week of net assets restated after a report was issued
# (point-in-time views before and after, the impact), a mistaken record reversed, each entity's
# books written as Beancount and checked, the hash chain verified, and a regulator's bundle
# checked by its own verifier. Last, the reconciliation: the fund's books, both bank accounts'
# statements and the dealers' invoices (built from the ledger with a few deliberate differences)
# matched against the ledger; the breaks worked, one resolved by the payment that was missing,
# one written off by a second person; the report and the dealers' remittance advice.
# PLANLEDGER_DEMO_DIR chooses the folder (default: demo-output).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(project_root)"
ensure_venv

OUT="${PLANLEDGER_DEMO_DIR:-demo-output}"
rm -rf "$OUT"
mkdir -p "$OUT"
export PLANLEDGER_DB="sqlite:///$OUT/planledger.db"
export PLANLEDGER_ACTOR="${PLANLEDGER_ACTOR:-demo-operator}"
FUNDS=(INTL-BCV STABLE-VALUE)

pl() { .venv/bin/planledger "$@"; }
step() { printf '\n== %s\n' "$*"; }

step "Load the plan (Schedule A: two funds, Class R; Schedule B: 0.25% + 0.25%)"
pl plan load plans/aim-class-r-2003/plan.toml
pl plan load plans/aim-class-r-2003/plan.toml
pl plan show

step "Generate sample data"
.venv/bin/python scripts/make_sample_data.py --out "$OUT/data"

step "The boards: directors; plan and agreement forms approved (June 2003); continuance (May 2004)"
pl board directors "$OUT/data/directors.csv"
for meeting in "$OUT"/data/meetings/*.toml; do
  pl board meeting "$meeting"
done

step "Import the daily net assets"
pl import net-assets "$OUT/data/net-assets.csv"
pl import net-assets "$OUT/data/net-assets.csv"

step "Record the service providers' agreements (SEVENTH), on approved forms, and their positions"
for fund in "${FUNDS[@]}"; do
  pl provider agree --provider DEALER-A --name "Dealer A Securities, Inc." --kind A \
    --fund "$fund" --rate 0.25% --from 2003-07-01 --reference "SA-DEALER-A-$fund" --agency-attested \
    --form "Dealer Service Agreement form 2003-06"
done
pl provider agree --provider RPS-B --name "Front Range Retirement Plan Services" --kind B \
  --fund INTL-BCV --rate 0.20% --from 2003-07-01 --reference "TPA-RPS-B-2003" --agency-attested \
  --form "Third Party Agreement form 2003-06"
pl import positions "$OUT/data/positions.csv"

step "Accrue every day through 2004-06-30"
pl accrue --through 2004-06-30
pl accrue --through 2004-06-30

step "Pay the Distributor monthly in arrears (third business day of the next month)"
PAYMENT_DATES=(
  2003-07:2003-08-05 2003-08:2003-09-04 2003-09:2003-10-03 2003-10:2003-11-05
  2003-11:2003-12-03 2003-12:2004-01-06 2004-01:2004-02-04 2004-02:2004-03-03
  2004-03:2004-04-05 2004-04:2004-05-05 2004-05:2004-06-03 2004-06:2004-07-06
)
for entry in "${PAYMENT_DATES[@]}"; do
  month=${entry%%:*}
  paid_on=${entry#*:}
  for fund in "${FUNDS[@]}"; do
    pl pay distributor --fund "$fund" --period "$month" --amount accrued --paid-on "$paid_on" \
      --reference "ADI-$fund-$month"
  done
done

step "Pay the providers quarterly, up to their caps (RPS-B's last fee left for the reconciliation)"
SERVICE_PERIODS=(2003Q3:2003-10-15 2003Q4:2004-01-15 2004Q1:2004-04-15 2004Q2:2004-07-15)
pl service-fee --provider DEALER-A --fund INTL-BCV --period 2003Q3
for entry in "${SERVICE_PERIODS[@]}"; do
  period=${entry%%:*}
  paid_on=${entry#*:}
  for fund in "${FUNDS[@]}"; do
    pl pay provider --provider DEALER-A --fund "$fund" --period "$period" --amount cap \
      --paid-on "$paid_on" --reference "SF-DEALER-A-$fund-$period"
  done
  # RPS-B's 2004Q2 fee is paid by the bank but not keyed here: the reconciliation finds it.
  if [ "$period" != 2004Q2 ]; then
    pl pay provider --provider RPS-B --fund INTL-BCV --period "$period" --amount cap \
      --paid-on "$paid_on" --reference "SF-RPS-B-INTL-BCV-$period"
  fi
done

step "Record the Distributor's expenditures by FIFTH purpose"
pl import expenditures "$OUT/data/expenditures.csv"

step "Balances as of 2004-06-30 (June is paid on 2004-07-06), and after the June payment"
pl balances --as-of 2004-06-30
pl balances --as-of 2004-07-31
pl balances --as-of 2004-07-31 --format json > "$OUT/balances.json"

step "The quarterly written reports (FOURTH): written, issued by the Distributor, reviewed"
REPORTS=(2003Q3:2003-10-20:2003-11-12 2003Q4:2004-01-20:2004-02-11
         2004Q1:2004-04-20:2004-05-20 2004Q2:2004-07-20:2004-08-11)
for entry in "${REPORTS[@]}"; do
  IFS=: read -r quarter issued reviewed <<< "$entry"
  for fund in "${FUNDS[@]}"; do
    pl report issue --fund "$fund" --quarter "$quarter" --on "$issued"
    pl report review --fund "$fund" --quarter "$quarter" --meeting "BOARD-$reviewed" \
      --on "$reviewed"
  done
  # Written once issued and reviewed: each shows its issue date and its review.
  pl report quarterly --quarter "$quarter" --out "$OUT/reports" > /dev/null
done
ls "$OUT/reports"

step "The SIXTH split of the year, by quarter"
pl split --period 2003-07..2004-06 --by quarter

step "Trial balance as of 2004-07-31: the fund's books, then the Distributor's (debits = credits in each)"
pl trial-balance --as-of 2004-07-31 | tee "$OUT/trial-balance.txt"

step "Compliance as of 2004-06-30 and as of 2004-08-31"
pl compliance --as-of 2004-06-30
pl compliance --as-of 2004-08-31

step "Audit: a week of INTL-BCV net assets is restated after the 2003Q3 report was issued"
BEFORE=$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)
echo "the ledger as it stands at $BEFORE will be asked for again below"
pl import net-assets "$OUT/data/restatement.csv" --restatement \
  --reason "NAV error: a holding priced 2% too high, corrected by the fund accountant"
pl log --fund INTL-BCV --type NetAssetsRestated --type FeeAccrualAdjusted --type AccrualTrueUpPosted \
  --committed-from "$BEFORE"
echo "-- INTL-BCV on 2003-09-30, as known before the restatement, and now:"
pl asof --fund INTL-BCV --as-of 2003-09-30 --known-at "$BEFORE"
pl asof --fund INTL-BCV --as-of 2003-09-30
echo "-- what the restatement changes in what was already issued and paid:"
pl impact --since "$BEFORE"
echo "-- the 2003Q3 report as issued (the files kept when it was issued), and as it is now:"
pl report issued --fund INTL-BCV --quarter 2003Q3 --out "$OUT/reports-as-issued"
pl report quarterly --quarter 2003Q3 --fund-class INTL-BCV/R --out "$OUT/reports-restated"
pl balances --as-of 2004-07-31 --format json > "$OUT/balances-after-restatement.json"

step "Audit: an expenditure recorded by mistake, and its reversal"
pl expenditure record --fund INTL-BCV --incurred-on 2004-06-15 --period 2004Q2 \
  --purpose advertising --performer third_party --performer-name "Front Range Media" \
  --amount 999.00 --description "keyed twice" --reference EXP-DUPLICATE
pl reverse expenditure --fund INTL-BCV --reference EXP-DUPLICATE \
  --reason "the same invoice was keyed twice"

step "Each entity's books as Beancount (the restatement's receivable and the reversal in them), each checked by bean-check"
pl export beancount --out "$OUT/books"
for entity in fund distributor; do
  .venv/bin/bean-check "$OUT/books/$entity.beancount" && echo "bean-check $entity: no errors"
done

step "Audit: seal, verify the store, and the regulator's bundle checked with a plain Python"
pl seal --reason "demo year closed"
pl verify
pl export bundle --as-of 2004-06-30 --out "$OUT/bundle.zip"
rm -rf "$OUT/bundle" && mkdir -p "$OUT/bundle"
(cd "$OUT/bundle" && python3 -m zipfile -e ../bundle.zip . && python3 -I verify_bundle.py)
pl compliance --as-of 2004-08-31 --retention

step "Reconciliation: the fund's books, both banks' BAI2 statements and the dealers' invoices against the ledger"
echo "built from the ledger's own figures, with a cent off (within the tolerance), a payment the"
echo "ledger lacks, two payments credited in one line and an invoice over the cap:"
.venv/bin/python scripts/make_reconcile_data.py --out "$OUT/data/reconcile"
REC="$OUT/data/reconcile"
pl reconcile import fund-books "$REC/fund-books.csv"
pl reconcile import bank-bai2 "$REC/fund-accounts.bai2" \
  --account 1111222233=fund:INTL-BCV --account 1111222244=fund:STABLE-VALUE
pl reconcile import bank-bai2 "$REC/distributor.bai2" --account 9999000011=distributor
pl reconcile import dealer-invoice "$REC/dealer-invoices.csv"
pl reconcile import dealer-invoice "$REC/dealer-invoices.csv"
pl reconcile run --on 2004-08-02
pl reconcile run --on 2004-08-02
pl reconcile breaks --as-of 2004-08-31
echo "-- the missing payment: RPS-B's 2004Q2 fee, paid on 2004-07-15, recorded now; the break resolved by it"
pl pay provider --provider RPS-B --fund INTL-BCV --period 2004Q2 --amount cap \
  --paid-on 2004-07-15 --reference SF-RPS-B-INTL-BCV-2004Q2
PAYMENT=$(pl log --type ServiceFeePaid --format json | .venv/bin/python -c '
import json, sys
print(next(e["event_id"] for e in json.load(sys.stdin) if e["reference"] == "SF-RPS-B-INTL-BCV-2004Q2"))')
pl reconcile resolve "dealer-fees/RPS-B/INTL-BCV/R/2004-04-01..2004-06-30/paid" --event "$PAYMENT" \
  --note "paid by the bank on 2004-07-15, not keyed; recorded" --on 2004-08-03
pl reconcile run --on 2004-08-03
echo "-- the invoice over the cap: the excess proposed for write-off by one person, approved by another"
CAPPED="dealer-fees/DEALER-A/STABLE-VALUE/R/2004-01-01..2004-03-31"
pl reconcile write-off "$CAPPED/cap" --actor treasurer --amount 250.01 \
  --reason "invoiced above the SEVENTH cap: not payable" --on 2004-08-03
pl reconcile approve "$CAPPED/cap" --actor treasurer --on 2004-08-03 \
  || echo "(refused: the proposer cannot approve it)"
pl reconcile approve "$CAPPED/cap" --actor controller --on 2004-08-04
pl reconcile assign "$CAPPED/invoice" --owner dealer-services --on 2004-08-04
pl reconcile comment "$CAPPED/invoice" --text "asked DEALER-A for its workings" --on 2004-08-04
pl reconcile breaks --as-of 2004-08-31
pl reconcile report --period 2003-07..2004-07 --as-of 2004-08-31
pl reconcile report --period 2003-07..2004-07 --as-of 2004-08-31 --format json \
  --out "$OUT/reconciliation.json"
pl reconcile report --period 2003-07..2004-07 --as-of 2004-08-31 --format html \
  --out "$OUT/reconciliation.html"
pl reconcile remittance --period 2004Q1 --out "$OUT/remittance"

step "Files"
echo "ledger:      $OUT/planledger.db  (export PLANLEDGER_DB=sqlite:///$OUT/planledger.db to explore it)"
echo "sample data: $OUT/data/"
echo "balances:    $OUT/balances.json"
echo "reports:     $OUT/reports/ (JSON, CSV, HTML, PDF for each fund class and quarter)"
echo "books:       $OUT/trial-balance.txt, $OUT/books/fund.beancount, $OUT/books/distributor.beancount (bean-check, Fava)"
echo "reconciled:  $OUT/reconciliation.html, $OUT/reconciliation.json, $OUT/remittance/ (each dealer's advice, PDF and CSV for 2004Q1),"
echo "             from $OUT/data/reconcile/ (fund books, both banks' BAI2, dealers' invoices)"
echo "audit:       $OUT/bundle.zip (unpacked in $OUT/bundle: python3 verify_bundle.py),"
echo "             $OUT/reports-as-issued/ (INTL-BCV 2003Q3 as issued, byte for byte),"
echo "             $OUT/reports-restated/ (the same quarter now, marked restated since its issue)"
echo "browse it:   .venv/bin/planledger serve --db sqlite:///$OUT/planledger.db  (read-only, http://127.0.0.1:8000/)"
