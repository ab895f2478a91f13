#!/usr/bin/env bash
# scripts/bench/sweep.sh [SECTION...] — the runs behind docs/benchmarks.md.
#
# Every setting runs each target back to back (interleaved), so the ratios compare servers
# under the same machine conditions. Sections: fanout fanout1000 rooms rooms5 idle connect
# mixed (default: all). TARGETS adds switchboard-pg (Switchboard on PostgreSQL) to the peers. Results: $RESULTS (default Benchmarks/results/latest), one JSON per run;
# scripts/bench/table.py turns them into the tables of docs/benchmarks.md.
set -uo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
TARGETS="${TARGETS:-hb-raw switchboard socketio django-channels}"
SECTIONS="${*:-fanout fanout1000 rooms rooms5 idle connect mixed}"
run() { echo "scripts/bench/run.sh $*" | tee -a "${RESULTS:-$HERE/../../Benchmarks/results/latest}/commands.log"; "$HERE/run.sh" "$@" 2>&1 | tail -3; }
mkdir -p "${RESULTS:-$HERE/../../Benchmarks/results/latest}"
for s in $SECTIONS; do
  case $s in
    fanout)
      for rate in 300 1000 3000; do for t in $TARGETS; do
        run "$t" fanout --subs 100 --rate "$rate" --duration 10 --drain-cap 20; done; done ;;
    fanout1000)
      for t in $TARGETS; do run "$t" fanout --subs 1000 --rate 30 --duration 10 --drain-cap 20; done ;;
    rooms)
      for t in $TARGETS; do run "$t" rooms --rooms 100 --members 10 --member-rate 1 --duration 10 --drain-cap 20; done ;;
    rooms5)
      for t in $TARGETS; do run "$t" rooms --rooms 100 --members 10 --member-rate 5 --duration 10 --drain-cap 20; done ;;
    idle)
      for t in $TARGETS; do run "$t" idle --conns 10000 --concurrency 100 --settle 3 --hold 5; done ;;
    connect)
      for t in $TARGETS; do run "$t" connect --conns 2000 --concurrency 100; done ;;
    mixed)
      run switchboard mixed --users 1000 --duration 60 ;;
  esac
done
