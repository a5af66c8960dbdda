#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests and benchmarks: a fresh data folder
# in a temp dir, run as the `postgres` user, on a free loopback port.
#
#   source scripts/pg.sh; pg_start [durable]; ...; pg_stop
#
# pg_start exports PG_URL (postgres://postgres@127.0.0.1:PORT/postgres). Without
# `durable`, fsync is off: the tests need a real server, not a durable one.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

pg_as() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free loopback port below the range the system hands out for port 0 and for
# outgoing connections (32768 and up on Linux), so that no socket opened in the
# meantime (tests run side by side) can take it before PostgreSQL listens on it,
# or while it is stopped and started again.
pg_free_port() {
  python3 -c '
import random, socket
for _ in range(1000):
    port = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("no free port between 20000 and 31999")
'
}

pg_start() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "[pg] PostgreSQL server binaries not found (run scripts/setup.sh)" >&2
    return 1
  fi
  PG_DIR=$(mktemp -d /tmp/lookout-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$PG_DIR"; fi
  PG_PORT=$(pg_free_port)
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  local opts="-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=300"
  if [ "${1:-}" != durable ]; then
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  echo "$opts" > "$PG_DIR/opts"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -o "$opts" -w start >/dev/null
  export PG_DIR PG_PORT
  export PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  echo "[pg] PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT"
}

# Stops and starts the server of PG_DIR again, keeping its data (outage tests).
pg_ctl_stop() {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
}
pg_ctl_start() {
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -o "$(cat "$PG_DIR/opts")" -w start >/dev/null
}

# A streaming replica of the cluster pg_start made, on a port of its own, for
# the tests of lookups read from a replica: exports PG_STANDBY_PORT and
# PG_STANDBY_URL. pg_stop stops it with the primary.
pg_standby_start() {
  PG_STANDBY_PORT=$(pg_free_port)
  pg_as "$PG_BIN/pg_basebackup" -D "$PG_DIR/standby" -h 127.0.0.1 -p "$PG_PORT" -U postgres -R -X stream >/dev/null
  local opts="-c listen_addresses=127.0.0.1 -p $PG_STANDBY_PORT -k $PG_DIR -c max_connections=300 -c fsync=off"
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/standby" -l "$PG_DIR/standby.log" -o "$opts" -w start >/dev/null
  export PG_STANDBY_PORT
  export PG_STANDBY_URL="postgres://postgres@127.0.0.1:$PG_STANDBY_PORT/postgres"
}

pg_stop() {
  [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ] || return 0
  if [ -d "$PG_DIR/standby" ]; then
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/standby" -m fast -w stop >/dev/null 2>&1 || true
  fi
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  unset PG_DIR
}
