# Shared by the scripts: find Python 3.11+, and make sure .venv holds the project and its
# test tools. The install is repeated only when pyproject.toml changes.

project_root() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "planledger needs Python 3.11 or newer; set PYTHON to its path" >&2
  return 1
}

ensure_venv() {
  local root stamp wanted python
  root=$(project_root)
  stamp="$root/.venv/.planledger-install-stamp"
  wanted=$(sha256sum < "$root/pyproject.toml" | cut -d' ' -f1)
  if [ ! -x "$root/.venv/bin/python" ]; then
    python=$(find_python)
    echo "creating $root/.venv with $python" >&2
    "$python" -m venv "$root/.venv"
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "installing planledger and its test tools into .venv" >&2
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[test]"
    echo "$wanted" > "$stamp"
  fi
  compile_bytecode "$root"
}

# An editable install leaves the project's modules uncompiled, and with PYTHONDONTWRITEBYTECODE
# set (as on many CI machines) Python would compile every module again on every run: about half
# of a command's start-up. Compiling ahead (only what changed) keeps `planledger` quick.
compile_bytecode() {
  "$1/.venv/bin/python" -m compileall -q -j 0 "$1/domain" "$1/projections" "$1/adapters" \
    >/dev/null
}

# The replica test (tests/integration/test_replica.py) starts a standby of the test server with
# pg_basebackup, which needs a replication connection from 127.0.0.1. wal_level=replica and
# max_wal_senders are PostgreSQL 15's defaults; the pg_hba line is added here if missing, and a
# reload (not a restart) puts it in force. Only for a server on this machine, as root.
allow_local_replication() {
  local url=$1 hba
  case "$url" in *@127.0.0.1:*|*@localhost:*) ;; *) return 0 ;; esac
  command -v psql >/dev/null 2>&1 || return 0
  if [ "$(psql "$url" -Atc "SELECT count(*) FROM pg_hba_file_rules
        WHERE 'replication' = ANY(database) AND address = '127.0.0.1'")" != 0 ]; then
    return 0
  fi
  hba=$(psql "$url" -Atc "SHOW hba_file")
  if [ "$(id -u)" = 0 ] && [ -w "$hba" ]; then
    echo "allowing replication connections from 127.0.0.1 in $hba (for the replica test)" >&2
    printf '%s\n' "host replication all 127.0.0.1/32 trust" >> "$hba"
    psql "$url" -Atc "SELECT pg_reload_conf()" >/dev/null
  else
    echo "(the replica test needs 'host replication all 127.0.0.1/32 trust' in $hba)" >&2
  fi
}
