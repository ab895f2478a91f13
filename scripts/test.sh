#!/usr/bin/env bash
# The whole test suite, in one command:
#   1. every Swift test (kernel, modules, end-to-end over real sockets) on embedded SQLite;
#   2. the same tests on PostgreSQL (a throwaway cluster, or SWITCHBOARD_TEST_DATABASE_URL);
#   3. a smoke test of the real `switchboard` binary (signals, CLI, restart).
# On a fresh Debian machine, run as root, it installs what it needs (postgresql, websockets).
set -euo pipefail
cd "$(dirname "$0")/.."

need_root_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${SWITCHBOARD_TEST_DATABASE_URL:-}" ]; then
  if need_root_install; then
    echo "== installing PostgreSQL from Debian packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi
if ! python3 -c 'import websockets' 2>/dev/null; then
  echo "== installing the Python websockets client (smoke test)"
  python3 -m pip install -q websockets
fi

echo "== building"
swift build --build-tests

echo "== tests on SQLite"
swift test --skip-build

echo "== tests on PostgreSQL"
url=${SWITCHBOARD_TEST_DATABASE_URL:-}
if [ -z "$url" ]; then
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    url=$(scripts/pg-throwaway.sh start)
    trap 'scripts/pg-throwaway.sh stop' EXIT
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required in CI" >&2
    exit 1
  else
    echo "!! PostgreSQL not installed: skipping the PostgreSQL run (apt-get install postgresql)" >&2
  fi
fi
if [ -n "$url" ]; then
  SWITCHBOARD_TEST_DATABASE_URL="$url" swift test --skip-build
fi

echo "== smoke test of the binary"
python3 scripts/smoke.py .build/debug/switchboard
