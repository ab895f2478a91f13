#!/usr/bin/env bash
# The whole test suite, in one command:
#   1. every Swift test (kernel, modules, end-to-end over real sockets) on embedded SQLite;
#   2. the same tests on PostgreSQL (a throwaway cluster, or SWITCHBOARD_TEST_DATABASE_URL), where
#      every hub runs in cluster mode, then three real processes as one cluster (scripts/cluster_test.py);
#   3. a smoke test of the real `switchboard` binary (signals, CLI, restart, database outage);
#   4. the web pages and switchboard.js in headless Chromium (scripts/browser_test.py,
#      scripts/browser_client_test.py, scripts/browser_chat_test.py, scripts/browser_helpdesk_test.py,
#      scripts/browser_admin_test.py,
#      scripts/browser_betting_test.py,
#      scripts/browser_chsh_test.py);
#   5. RFC 6455/7692 conformance of the WebSocket transport (scripts/autobahn.sh);
#   6. the fuzz corpus replayed, then libFuzzer on each parser a client reaches (scripts/fuzz.sh).
# On a fresh Debian machine, run as root, it installs what it needs (postgresql, chromium,
# chromium-driver, and the Python websockets and selenium clients).
set -euo pipefail
cd "$(dirname "$0")/.."

need_root_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

missing=()
# the SQLite headers: the kernel drives the system's SQLite directly (Sources/CSQLite)
[ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ -n "${SWITCHBOARD_TEST_DATABASE_URL:-}" ] || missing+=(postgresql)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ] && need_root_install; then
  echo "== installing ${missing[*]} from Debian packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for module in websockets selenium; do
  if ! python3 -c "import $module" 2>/dev/null; then
    echo "== installing the Python $module client"
    python3 -m pip install -q "$module"
  fi
done

echo "== building"
swift build --build-tests

# a hung test fails the run within a bound instead of holding CI until its limit
echo "== tests on SQLite"
timeout 1200 swift test --skip-build

echo "== tests on PostgreSQL"
url=${SWITCHBOARD_TEST_DATABASE_URL:-}
if [ -z "$url" ]; then
  if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    SWITCHBOARD_TEST_PG_STATE=$(mktemp -d "${TMPDIR:-/tmp}/sb-test-pg-XXXXXX")
    export SWITCHBOARD_TEST_PG_STATE
    trap 'scripts/pg-throwaway.sh stop' EXIT
    url=$(scripts/pg-throwaway.sh start)
  elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required in CI" >&2
    exit 1
  else
    echo "!! PostgreSQL not installed: skipping the PostgreSQL run (apt-get install postgresql)" >&2
  fi
fi
if [ -n "$url" ]; then
  SWITCHBOARD_TEST_DATABASE_URL="$url" timeout 1800 swift test --skip-build
  echo "== cluster mode: three switchboard processes on one PostgreSQL"
  python3 scripts/cluster_test.py .build/debug/switchboard "$url"
fi

echo "== fuzz corpus replayed (every committed input and saved finding)"
for target in frame money cursor token command; do
  .build/debug/switchboard-fuzz "$target" "Fuzz/corpus/$target"
done

echo "== smoke test of the binary"
python3 scripts/smoke.py .build/debug/switchboard

echo "== web client and switchboard.js in headless Chromium"
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  python3 scripts/browser_test.py .build/debug/switchboard
  python3 scripts/browser_client_test.py .build/debug/switchboard
  python3 scripts/browser_chat_test.py .build/debug/switchboard
  python3 scripts/browser_helpdesk_test.py .build/debug/switchboard
  python3 scripts/browser_admin_test.py .build/debug/switchboard
  python3 scripts/browser_betting_test.py .build/debug/switchboard
  python3 scripts/browser_chsh_test.py .build/debug/switchboard
elif [ "${CI:-}" = "true" ]; then
  echo "Chromium is required in CI" >&2
  exit 1
else
  echo "!! Chromium not installed: skipping the browser test (apt-get install chromium chromium-driver)" >&2
fi

echo "== WebSocket conformance (Autobahn|Testsuite)"
if command -v pyenv >/dev/null && [ -x "$(pyenv root)/versions/2.7.18/bin/python2.7" ] || [ -n "${AUTOBAHN_PYTHON:-}" ]; then
  scripts/autobahn.sh .build/debug/switchboard
elif [ "${CI:-}" = "true" ]; then
  echo "Python 2.7 (pyenv 2.7.18) is required in CI for Autobahn|Testsuite" >&2
  exit 1
else
  echo "!! Python 2.7 not found: skipping Autobahn|Testsuite (see docs/conformance/autobahn.md)" >&2
fi

echo "== coverage-guided fuzzing (libFuzzer), ${FUZZ_SECONDS:-20}s per target"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"
