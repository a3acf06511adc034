# Sourced by .ci/run: start a throw-away PostgreSQL server on loopback for the store tests and export
# GONGKAI_TEST_PG_URL. Does nothing (the PostgreSQL tests then skip) when no server binaries are installed.
gongkai_start_postgres() {
  local bin port dir runas
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "postgres.sh: no PostgreSQL server binaries" >&2; return 0; }
  port=${GONGKAI_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  dir=$(mktemp -d /tmp/gongkai-pg.XXXXXX)
  runas=()
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    runas=(runuser -u postgres --)
  fi
  "${runas[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 >/dev/null
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  export GONGKAI_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  GONGKAI_PG_STOP="${runas[*]} $bin/pg_ctl -D $dir/data -m fast stop"
  echo "postgres.sh: PostgreSQL running on 127.0.0.1:$port" >&2
}
gongkai_stop_postgres() {
  [ -n "${GONGKAI_PG_STOP:-}" ] && $GONGKAI_PG_STOP >/dev/null 2>&1 || true
}
gongkai_start_postgres
