#!/usr/bin/env bash
# The database tests run against a real PostgreSQL server as well as SQLite: the test setup starts
# a throwaway cluster from the server binaries (initdb, pg_ctl). Installs Debian's postgresql
# package when the binaries are missing and this runs as root; otherwise says how.
# (TIDECAST_TEST_POSTGRES_URL=postgresql://user@host/db uses an existing server instead.)
set -euo pipefail
# The many-hosts test puts workers in network namespaces (ip netns, from iproute2).
if ! command -v ip >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[tests] Installing iproute2 for the many-hosts test (apt-get)…"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iproute2 >/dev/null; }
fi
if [ -n "${TIDECAST_TEST_POSTGRES_URL:-}" ]; then exit 0; fi
if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then exit 0; fi
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "[tests] Installing Debian's postgresql for the database tests (apt-get)…"
  export DEBIAN_FRONTEND=noninteractive
  # The tests start their own clusters: no system cluster (and no server left running).
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold postgresql >/dev/null
  exit 0
fi
echo "[tests] The database tests need PostgreSQL's server binaries (initdb, pg_ctl)." >&2
echo "[tests] Install them with: sudo apt-get install postgresql" >&2
echo "[tests] (or set PG_BIN to their folder, or TIDECAST_TEST_POSTGRES_URL to a server where the" >&2
echo "[tests] user may create databases), then run npm test again." >&2
exit 1
