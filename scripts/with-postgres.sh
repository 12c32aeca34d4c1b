#!/usr/bin/env bash
# Run a command against a real PostgreSQL server, with OPSCENTER_DATABASE_URL exported.
#
#   scripts/with-postgres.sh .venv/bin/pytest opscenter -q
#
# Uses $OPSCENTER_TEST_DATABASE_URL when it is set and answers. Otherwise starts a throwaway
# cluster under var/pg/run-<pid>/ on 127.0.0.1 (a free port from 54329 up, TCP only, trust auth),
# runs the command and always stops and removes the cluster, whatever happened. Clusters left
# behind by aborted runs are stopped and wiped first. As root the cluster runs as the `postgres`
# user, because initdb refuses root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${OPSCENTER_PYTHON:-$ROOT/.venv/bin/python}"
PGROOT="${OPSCENTER_PG_DIR:-$ROOT/var/pg}"
PGUSER_NAME=opscenter
PGDB_NAME=opscenter

say() { printf 'with-postgres: %s\n' "$*" >&2; }

if [ "$#" -eq 0 ]; then
    say "usage: $0 COMMAND [ARGS...]"
    exit 2
fi

# --- an existing server -----------------------------------------------------------------------
reachable() {
    "$PY" - "$1" <<'PYEOF'
import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:  # any failure means "not usable", the reason goes to the log
    print(f"with-postgres: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
PYEOF
}

if [ -n "${OPSCENTER_TEST_DATABASE_URL:-}" ]; then
    if reachable "$OPSCENTER_TEST_DATABASE_URL"; then
        say "using OPSCENTER_TEST_DATABASE_URL"
        export OPSCENTER_DATABASE_URL="$OPSCENTER_TEST_DATABASE_URL"
        exec "$@"
    fi
    say "OPSCENTER_TEST_DATABASE_URL is not reachable; starting a throwaway cluster instead"
fi

# --- a throwaway cluster ----------------------------------------------------------------------
find_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return
        fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return
    fi
    return 1
}

BIN="$(find_bindir)" || {
    say "no PostgreSQL server binaries found (initdb, pg_ctl); install them with: apt-get install -y postgresql"
    exit 1
}

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# Run a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
    if [ "$IS_ROOT" -eq 1 ]; then
        if command -v runuser >/dev/null 2>&1; then
            runuser -u postgres -- "$@"
        else
            su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
        fi
    else
        "$@"
    fi
}

if [ "$IS_ROOT" -eq 1 ] && ! id postgres >/dev/null 2>&1; then
    say "running as root but there is no 'postgres' user to own the cluster (apt-get install -y postgresql creates it)"
    exit 1
fi

# One directory per run (var/pg/run-<pid>), so two runs in one checkout do not collide.
stop_cluster() {  # DATA_DIR
    if [ -f "$1/postmaster.pid" ]; then
        as_owner "$BIN/pg_ctl" -D "$1" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_owner "$BIN/pg_ctl" -D "$1" -m immediate -w -t 30 stop >/dev/null 2>&1 \
            || true
    fi
}

# Clusters left behind by aborted runs (their runner process is gone): stop and remove them.
mkdir -p "$PGROOT"
for old in "$PGROOT"/run-*; do
    [ -d "$old" ] || continue
    runner="$(cat "$old/runner.pid" 2>/dev/null || true)"
    if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null \
        && [ "$(ps -o stat= -p "$runner" 2>/dev/null | cut -c1)" != "Z" ]; then
        continue  # another run in progress
    fi
    say "removing a stale cluster in $old"
    stop_cluster "$old/data"
    rm -rf "$old"
done

RUN="$PGROOT/run-$$"
mkdir -p "$RUN"
echo $$ >"$RUN/runner.pid"
if [ "$IS_ROOT" -eq 1 ]; then
    chown postgres: "$RUN"
    # The postgres user must reach the checkout; a checkout under /root may not let it.
    if ! as_owner test -w "$RUN"; then
        rm -rf "$RUN"
        RUN="$(mktemp -d /tmp/opscenter-pg.XXXXXX)"
        echo $$ >"$RUN/runner.pid"
        chown postgres: "$RUN"
        say "the postgres user cannot write under $PGROOT; using $RUN"
    fi
fi
DATA="$RUN/data"
LOG="$RUN/postgres.log"

cleanup() {
    local status=$?
    stop_cluster "$DATA"
    if [ "$status" -eq 0 ]; then
        rm -rf "$RUN"
    else
        rm -rf "$DATA"  # keep the logs of a failed run
        say "logs kept in $RUN"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "initdb in $DATA ($BIN)"
as_owner "$BIN/initdb" -D "$DATA" -U "$PGUSER_NAME" --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$RUN/initdb.log" 2>&1 \
    || as_owner "$BIN/initdb" -D "$DATA" -U "$PGUSER_NAME" --auth=trust --encoding=UTF8 --no-locale \
        --no-sync >"$RUN/initdb.log" 2>&1 \
    || { cat "$RUN/initdb.log" >&2; say "initdb failed"; exit 1; }

free_port() {
    "$PY" - <<'PYEOF'
import random
import socket

# From 54329 up; a random start spreads concurrent runs apart.
ports = list(range(54329, 54529))
start = random.randrange(len(ports))
for port in ports[start:] + ports[:start]:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    raise SystemExit("with-postgres: no free port in 54329-54528")
PYEOF
}

# Durability is pointless for a throwaway test cluster: fsync off makes the suite faster. A port
# taken between the check and the start (another run) means another try on another port.
started=0
for _ in 1 2 3 4 5; do
    PORT="$(free_port)"
    if as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null; then
        started=1
        break
    fi
    stop_cluster "$DATA"
done
if [ "$started" -ne 1 ]; then
    cat "$LOG" >&2 || true
    say "the cluster did not start"
    exit 1
fi

"$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" "$PGDB_NAME"
export OPSCENTER_DATABASE_URL="postgres://$PGUSER_NAME@127.0.0.1:$PORT/$PGDB_NAME"
say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"

set +e
"$@"
status=$?
set -e
exit "$status"
