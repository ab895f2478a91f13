#!/usr/bin/env python3
"""Cross-node delivery in cluster mode, measured against same-node delivery in the same run.

Two `switchboard` nodes on one fresh PostgreSQL database. A publisher on node 1 sends chat
messages into a room; one subscriber sits on node 1 (same node), one on node 2 (cross node).
Each message's text carries its send time, so both subscribers' arrival delays come from one
clock. Phase 1 paces messages (latency, p50/p99, and the added cross-node delay); phase 2
lets N publishers send as fast as they can (the throughput ceiling of the persisted,
NOTIFY-carried path), and the same burst runs against one PostgreSQL node with
HUB_CLUSTER=off for the ratio.

Usage: scripts/bench/cluster_latency.py path/to/switchboard postgres://user@host:port/db [paced] [burst]
"""
import asyncio, glob, json, os, subprocess, sys, time, uuid
from urllib.parse import urlparse
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from hubkit import free_port, http
import websockets

BIN, BASE = sys.argv[1], urlparse(sys.argv[2])
PACED = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
BURST = int(sys.argv[4]) if len(sys.argv) > 4 else 4000
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
PG_ARGS = ["-h", BASE.hostname, "-p", str(BASE.port), "-U", BASE.username]
procs, databases = [], []

def fresh_database():
    name = "sb_bench_" + uuid.uuid4().hex[:8]
    subprocess.run([os.path.join(PG_BIN, "createdb"), *PG_ARGS, name], check=True)
    databases.append(name)
    return f"postgres://{BASE.username}@{BASE.hostname}:{BASE.port}/{name}"

def serve(url, name, cluster="on"):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, HUB_NODE_NAME=name, HUB_CLUSTER=cluster, AUTH_BCRYPT_COST="4",
               LOG_LEVEL="warning", RATE_LIMIT_CHAT_SEND="1000000/1s", RATE_LIMIT_AUTH_REGISTER="100000/1s")
    proc = subprocess.Popen([BIN, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(proc)
    for _ in range(600):
        try:
            if http("GET", port, "/readyz")[0] == 200:
                return port
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"node {name} did not become ready")

async def client(port, room):
    status, body = http("POST", port, "/auth/register", {"username": "u" + uuid.uuid4().hex[:10], "password": "bench-pass-1", "displayName": "b"})
    ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={body['accessToken']}", max_size=None)
    await ws.recv()
    await ws.send(json.dumps({"id": 0, "type": "chat.join", "data": {"room": room}}))
    while json.loads(await ws.recv()).get("re") != 0:
        pass
    return ws

async def collect(ws, count, arrivals):
    """Records, for each chat.message, the delay from the send time written in its text."""
    while len(arrivals) < count:
        frame = json.loads(await ws.recv())
        if frame.get("type") == "chat.message":
            sent = int(frame["data"]["message"]["text"].split(":")[1])
            arrivals.append((time.perf_counter_ns() - sent) / 1e6)

def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

async def send_all(ws, count, pace_s=0.0, tag="m"):
    """Sends `count` messages, pipelined (replies are read by `drain`), optionally paced."""
    for n in range(count):
        await ws.send(json.dumps({"id": n + 1, "type": "chat.send", "data": {"room": ROOM, "text": f"{tag}:{time.perf_counter_ns()}"}}))
        if pace_s:
            await asyncio.sleep(pace_s)

ROOM = "bench"

async def paced(port1, port2):
    publisher = await client(port1, ROOM)
    same, cross = await client(port1, ROOM), await client(port2, ROOM)
    same_ms, cross_ms = [], []
    tasks = [asyncio.create_task(collect(same, PACED, same_ms)), asyncio.create_task(collect(cross, PACED, cross_ms)),
             asyncio.create_task(collect(publisher, PACED, []))]
    await send_all(publisher, PACED, pace_s=0.02)
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    for ws in (publisher, same, cross):
        await ws.close()
    return same_ms, cross_ms

async def burst(port_pub, port_sub, publishers=4):
    subscriber = await client(port_sub, ROOM)
    senders = [await client(port_pub, ROOM) for _ in range(publishers)]
    got = []
    per = BURST // publishers
    started = time.perf_counter()
    reader = asyncio.create_task(collect(subscriber, per * publishers, got))
    drains = [asyncio.create_task(collect(s, per * publishers, [])) for s in senders]
    await asyncio.gather(*(send_all(s, per, tag=f"b{i}") for i, s in enumerate(senders)))
    await asyncio.wait_for(reader, 300)
    elapsed = time.perf_counter() - started
    for task in drains:
        task.cancel()
    for ws in (subscriber, *senders):
        await ws.close()
    return per * publishers / elapsed, pct(got, 0.5), pct(got, 0.99)

async def main():
    url = fresh_database()
    port1, port2 = serve(url, "n1"), serve(url, "n2")
    same_ms, cross_ms = await paced(port1, port2)
    print(f"paced, {PACED} messages at ~50/s, publisher on n1:")
    print(f"  same node  (n1): p50 {pct(same_ms, .5):6.2f} ms  p99 {pct(same_ms, .99):6.2f} ms")
    print(f"  cross node (n2): p50 {pct(cross_ms, .5):6.2f} ms  p99 {pct(cross_ms, .99):6.2f} ms")
    print(f"  added by crossing: p50 {pct(cross_ms, .5) - pct(same_ms, .5):+.2f} ms  p99 {pct(cross_ms, .99) - pct(same_ms, .99):+.2f} ms")
    rate, p50, p99 = await burst(port1, port2)
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)
    single = serve(fresh_database(), "solo", cluster="off")
    solo_rate, solo50, solo99 = await burst(single, single)
    print(f"burst, {BURST} messages from 4 publishers as fast as they go:")
    print(f"  cluster, publishers on n1, subscriber on n2: {rate:7.0f} msg/s  (delivery p50 {p50:.1f} ms, p99 {p99:.1f} ms)")
    print(f"  single PostgreSQL node (HUB_CLUSTER=off):    {solo_rate:7.0f} msg/s  (delivery p50 {solo50:.1f} ms, p99 {solo99:.1f} ms)")
    print(f"  cluster / single: {rate / solo_rate:.2f}")

try:
    asyncio.run(main())
finally:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
    for name in databases:
        subprocess.run([os.path.join(PG_BIN, "dropdb"), *PG_ARGS, "--if-exists", name], capture_output=True)
