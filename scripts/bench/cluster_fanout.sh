#!/usr/bin/env bash
# Cross-node fan-out with the load tool (release builds): three nodes on one fresh PostgreSQL
# database; the same `fanout` and `rooms` runs with every connection on one node, then spread
# round-robin over the three (--ports), in one session, so the ratios compare like with like.
# Usage: scripts/bench/cluster_fanout.sh postgres://user@host:port/db [RESULTS_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
base=$1
results=${2:-$(mktemp -d /tmp/sb-cluster-bench-XXXXXX)}
mkdir -p "$results"
bin=.build-release/release/switchboard
load=.build-release/release/switchboard-load
pgbin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
hostport=${base#postgres://}; user=${hostport%@*}; hostport=${hostport#*@}; hostport=${hostport%%/*}
host=${hostport%:*}; port=${hostport#*:}
db=sb_fanout_$RANDOM$RANDOM
"$pgbin/createdb" -h "$host" -p "$port" -U "$user" "$db"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; "$pgbin/dropdb" -h "$host" -p "$port" -U "$user" --if-exists "$db"; }
trap cleanup EXIT
set -a; . scripts/bench/switchboard.env; set +a
export DATABASE_URL="postgres://$user@$host:$port/$db" HUB_CLUSTER=on
ports=()
for n in 1 2 3; do
  p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  HUB_NODE_NAME=bench-$n "$bin" serve --port "$p" > "$results/node-$n.log" 2>&1 &
  pids+=($!); ports+=("$p")
  until curl -sf "http://127.0.0.1:$p/readyz" > /dev/null; do sleep 0.2; done
done
spread=$(IFS=,; echo "${ports[*]}")
run() { local name=$1; shift; echo "== $name"; "$load" "$@" --json "$results/$name.json" | tail -n 12; }
run fanout-one-node  fanout --port "${ports[0]}" --subs 300 --rate 200 --duration 10 --room one
run fanout-spread    fanout --ports "$spread"   --subs 300 --rate 200 --duration 10 --room spread
run rooms-one-node   rooms --port "${ports[0]}" --rooms 20 --members 10 --member-rate 2 --duration 10
run rooms-spread     rooms --ports "$spread"   --rooms 20 --members 10 --member-rate 2 --duration 10
echo "results in $results"
