#!/usr/bin/env bash
# Longer runs of the reliability suite than CI affords. Each part is a section; run all, or
# name sections: scripts/soak.sh concurrency
#
# PostgreSQL parts run when PLANLEDGER_TEST_POSTGRES_URL names a server.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$(project_root)"
ensure_venv

sections=("$@")
[ ${#sections[@]} -eq 0 ] && sections=(concurrency stateful kills fuzz)

for section in "${sections[@]}"; do
  case "$section" in
    concurrency)
      # Writers and readers at once, against a serial run: CI runs one round, here 20.
      rounds="${SOAK_CONCURRENCY_ROUNDS:-20}"
      echo "== concurrency: $rounds rounds"
      for round in $(seq 1 "$rounds"); do
        echo "-- round $round"
        .venv/bin/python -m pytest -q -p no:cacheprovider -s \
          tests/reliability/test_concurrency.py | grep -E "^concurrency|passed|failed"
      done
      ;;
    stateful)
      # Random command sequences against the model: CI runs 10 derandomized sequences of 18
      # steps per database; here 150 random ones of 60 (PLANLEDGER_HYPOTHESIS_EXAMPLES), shrunk.
      echo "== stateful"
      PLANLEDGER_HYPOTHESIS_PROFILE=soak .venv/bin/python -m pytest -q -p no:cacheprovider -s \
        tests/reliability/test_stateful.py | grep -E "^stateful|passed|failed|Falsifying|state\."
      ;;
    kills)
      # Commands killed at random moments: CI runs 3 quarters x 5 commands x 3 kills per
      # database in forked children; here SOAK_KILL_ROUNDS rounds of other seeds, 5 kills per
      # command, each a fresh .venv/bin/planledger (its start-up among the moments).
      rounds="${SOAK_KILL_ROUNDS:-10}"
      echo "== kills: $rounds rounds"
      for round in $(seq 1 "$rounds"); do
        PLANLEDGER_KILL_SEED="$round" PLANLEDGER_KILL_MODE="${SOAK_KILL_MODE:-exec}" \
          PLANLEDGER_KILLS_PER_COMMAND=5 .venv/bin/python -m pytest -q -p no:cacheprovider -s \
          tests/reliability/test_kills.py | grep -E "^kill trials|passed|failed"
      done
      ;;
    fuzz)
      # Bad and good rows, plan and meeting files and options: CI runs about 2,400
      # derandomized cases; the soak profile ten times as many, unseeded.
      echo "== fuzz"
      PLANLEDGER_HYPOTHESIS_PROFILE=soak .venv/bin/python -m pytest -q -p no:cacheprovider -s \
        tests/reliability/test_fuzz_inputs.py | grep -E "^fuzz|passed|failed|Falsifying"
      ;;
    *)
      echo "unknown section: $section" >&2
      exit 2
      ;;
  esac
done
