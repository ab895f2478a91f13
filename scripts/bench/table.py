#!/usr/bin/env python3
"""Markdown tables from switchboard-load JSON reports (scripts/bench/run.sh output).

    scripts/bench/table.py [RESULTS_DIR]     (default Benchmarks/results/latest)

Rows of one setting are compared with hb-raw's row of the same setting (the transport's
ceiling, measured in the same sweep)."""
import glob, json, os, sys

DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../Benchmarks/results/latest")
ORDER = ["hb-raw", "switchboard", "switchboard-pg", "socketio", "django-channels"]

def setting(r):
    p = r["parameters"]
    w = r["workload"]
    if w == "fanout":
        return f'{p["subs"]} subs × {float(p["rate"]):g} msg/s'
    if w == "rooms":
        return f'{p["rooms"]}×{p["members"]} @ {float(p["memberRate"]):g}/s each'
    if w in ("idle", "connect"):
        return f'{p["conns"]} conns'
    if w == "mixed":
        return f'{p["users"]} users, {float(p["duration"]):g} s'
    return w

def fmt(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"

def ratio(v, base, digits=2):
    if v is None or not base:
        return ""
    return f" ({v / base:.{digits}f}×)"

def rows(group):
    """(target, report, hb-raw's report of the same setting) in the table's order."""
    base = group.get("hb-raw", {})
    for t in ORDER:
        if t in group:
            yield t, group[t], base

reports = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(DIR, "*.json")))]
groups = {}
for r in reports:
    groups.setdefault((r["workload"], setting(r)), {})[r["target"]] = r  # the last run of a setting wins

for workload in ["fanout", "rooms", "mixed"]:
    keys = [k for k in groups if k[0] == workload]
    if not keys:
        continue
    print(f"\n### {workload}\n")
    print("| setting | target | delivered/s (× hb-raw) | offered/s | p50 ms | p95 ms | p99 ms (× hb-raw) | max ms | loss % | server CPU % | server µs/delivery (× hb-raw) | client µs/delivery | other CPU % | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(keys, key=lambda k: (len(k[1]), k[1])):
        for t, r, base in rows(groups[key]):
            lat = r.get("latencyMs") or {}
            blat = (base.get("latencyMs") or {})
            print(f'| {key[1]} | {t} | {fmt(r.get("deliveredPerSecond"))}{ratio(r.get("deliveredPerSecond"), base.get("deliveredPerSecond"))} '
                  f'| {fmt(r.get("offeredPerSecond"))} | {fmt(lat.get("p50"), 2)} | {fmt(lat.get("p95"), 2)} '
                  f'| {fmt(lat.get("p99"), 2)}{ratio(lat.get("p99"), blat.get("p99"))} | {fmt(lat.get("max"), 1)} | {fmt(r.get("lossPercent"), 2)} '
                  f'| {fmt(r.get("serverCPUPercent"), 1)} | {fmt(r.get("serverMicrosPerDelivery"), 1)}{ratio(r.get("serverMicrosPerDelivery"), base.get("serverMicrosPerDelivery"))} '
                  f'| {fmt(r.get("clientMicrosPerDelivery"), 1)} | {fmt(r.get("otherCPUPercent"), 1)} '
                  f'| {" ".join(f"{k}={v}" for k, v in sorted((r.get("errors") or {}).items())) or "–"} |')

for workload, head in [("idle", "| setting | target | opened | failures | RSS before MiB | RSS after MiB | KiB per connection (× hb-raw) | connects/s while opening |"),
                       ("connect", "| setting | target | opened | failures | seconds | connects/s (× hb-raw) | server CPU % |")]:
    keys = [k for k in groups if k[0] == workload]
    if not keys:
        continue
    print(f"\n### {workload}\n")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for key in keys:
        for t, r, base in rows(groups[key]):
            if workload == "idle":
                print(f'| {key[1]} | {t} | {fmt(r.get("opened"))} | {fmt(r.get("connectFailures"))} | {fmt((r.get("rssBeforeKiB") or 0) / 1024, 1)} '
                      f'| {fmt((r.get("rssAfterKiB") or 0) / 1024, 1)} | {fmt(r.get("rssKiBPerConnection"), 1)}{ratio(r.get("rssKiBPerConnection"), base.get("rssKiBPerConnection"))} '
                      f'| {fmt(r.get("connectsPerSecond"))} |')
            else:
                print(f'| {key[1]} | {t} | {fmt(r.get("opened"))} | {fmt(r.get("connectFailures"))} | {fmt(r.get("connectSeconds"), 2)} '
                      f'| {fmt(r.get("connectsPerSecond"))}{ratio(r.get("connectsPerSecond"), base.get("connectsPerSecond"))} | {fmt(r.get("serverCPUPercent"), 1)} |')
