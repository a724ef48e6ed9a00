#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on 127.0.0.1 and prints its DSN.
# Usage: eval "$(bash .ci/postgres.sh start DIR PORT)"; bash .ci/postgres.sh stop DIR
# Installs Debian's postgresql package when the server binaries are missing.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data dir}; port=${3:-55432}

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

case "$cmd" in
start)
  if [ -z "$(bindir)" ] || [ ! -x "$(bindir)/initdb" ]; then
    echo "installing postgresql from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
  fi
  bin=$(bindir)
  mkdir -p "$dir"
  chown postgres:postgres "$dir"
  su postgres -s /bin/sh -c "$bin/initdb -A trust -U postgres -D '$dir/data'" >&2
  su postgres -s /bin/sh -c "$bin/pg_ctl -w -D '$dir/data' -l '$dir/log' -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir' -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >&2
  echo "export BILLINGRBAC_POSTGRES_DSN='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
  ;;
stop)
  bin=$(bindir)
  [ -d "$dir/data" ] && su postgres -s /bin/sh -c "$bin/pg_ctl -w -D '$dir/data' -m immediate stop" >&2 || true
  rm -rf "$dir"
  ;;
esac
