#!/usr/bin/env bash
# Start the optional servers the full test run exercises, on loopback only: PostgreSQL (the production store),
# Redis (the capacity stream adapter). Prints the URLs to export; idempotent (a running server is reused).
#   eval "$(bash scripts/services.sh)"   -> RIH_TEST_DATABASE_URL, RIH_TEST_REDIS_URL
set -euo pipefail
PGPORT=${RIH_TEST_PGPORT:-55432}
REDISPORT=${RIH_TEST_REDISPORT:-56379}
BASE=${RIH_SERVICES_DIR:-/tmp/rih-services}
mkdir -p "$BASE"

need_apt=()
command -v redis-server >/dev/null || need_apt+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  echo "services: installing ${need_apt[*]} from Debian" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need_apt[@]}" >&2 || { apt-get update -q >&2 && apt-get install -y -q "${need_apt[@]}" >&2; }
fi

# PostgreSQL: a private cluster owned by the postgres user (initdb refuses root).
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
PGDATA="$BASE/pg"
if ! "$PGBIN/pg_isready" -h 127.0.0.1 -p "$PGPORT" -q 2>/dev/null; then
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    rm -rf "$PGDATA"; mkdir -p "$PGDATA"; chown postgres:postgres "$PGDATA" "$BASE" 2>/dev/null || true
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -l "$BASE/pg.log" -w \
    -o "-h 127.0.0.1 -p $PGPORT -k $BASE" start >/dev/null
fi
runuser -u postgres -- "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname='rih_test'" | grep -q 1 ||
  runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres rih_test

# Redis: no persistence needed for tests; loopback only.
if ! redis-cli -p "$REDISPORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$REDISPORT" --daemonize yes --save "" --appendonly no \
    --logfile "$BASE/redis.log" --dir "$BASE" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$REDISPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "export RIH_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$PGPORT/rih_test"
echo "export RIH_TEST_REDIS_URL=redis://127.0.0.1:$REDISPORT/0"
