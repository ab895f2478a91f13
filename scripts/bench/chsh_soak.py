#!/usr/bin/env python3
"""Memory under a CHSH class: TEAMS teams of two guests answer for DURATION seconds (each
player about once a second) while the host's dashboard streams at dashboardMaxHz; the
server's RSS is sampled every 10 s from /proc. Nothing in the module grows per answer in
memory, so after warm-up RSS should stay flat while the rounds table grows.

Usage: scripts/bench/chsh_soak.py path/to/switchboard [TEAMS] [DURATION_S]
Prints one line per sample and a summary; docs/benchmarks.md records a run.
"""
import asyncio, json, os, subprocess, sys, tempfile, time, urllib.request
import websockets

BIN = sys.argv[1]
TEAMS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
DURATION = int(sys.argv[3]) if len(sys.argv) > 3 else 600
TMP = tempfile.mkdtemp(prefix="sb-chsh-soak-")
PORT = 18000 + os.getpid() % 1000
ENV = dict(os.environ, DATABASE_URL=f"sqlite://{TMP}/soak.sqlite", AUTH_BCRYPT_COST="4", RATE_LIMIT_AUTH_GUEST="off",
           RATE_LIMIT_AUTH_LOGIN="off", LOG_LEVEL="warning")

def post(path, body):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

async def call(ws, frame_id, type, data):
    await ws.send(json.dumps({"id": frame_id, "type": type, "data": data}))

async def player(token, code, team, slot, answered, stop):
    async with websockets.connect(f"ws://127.0.0.1:{PORT}/ws?access_token={token}", max_size=None) as ws:
        await ws.recv()
        replies = {}
        async def request(frame_id, type, data):
            await call(ws, frame_id, type, data)
            while frame_id not in replies:
                frame = json.loads(await ws.recv())
                if "re" in frame:
                    replies[frame["re"]] = frame
                elif frame.get("type") == "chsh.question":
                    replies["question"] = frame["data"]
            return replies.pop(frame_id)
        game = (await request("join", "chsh.joinGame", {"joinCode": code}))["data"]["gameId"]
        if slot == 1:
            await request("team", "chsh.createTeam", {"gameId": game, "name": team})
        else:
            while not (await request(f"team{time.time()}", "chsh.joinTeam", {"gameId": game, "name": team}))["ok"]:
                await asyncio.sleep(0.2)
        n = 0
        while not stop.is_set():
            question = replies.pop("question", None)
            if question is None:
                try:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 1))
                except asyncio.TimeoutError:
                    state = await request(f"s{n}", "chsh.state", {"gameId": game})
                    question = state["data"].get("question")
                    if question and question.get("answered"):
                        question = None
                    n += 1
                    if question is None:
                        continue
                else:
                    if frame.get("type") == "chsh.question":
                        question = frame["data"]
                    else:
                        continue
            await asyncio.sleep(1)
            n += 1
            reply = await request(f"a{n}", "chsh.answer", {"roundId": question["roundId"], "answer": n % 3 == 0})
            if reply.get("ok"):
                answered[0] += 1

async def main(server):
    made = subprocess.run([BIN, "user", "create", "soakhost", "--role", "host"], env=ENV, input="soak-host-password\n",
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    host_token = post("/auth/login", {"username": "soakhost", "password": "soak-host-password"})["accessToken"]
    host = await websockets.connect(f"ws://127.0.0.1:{PORT}/ws?access_token={host_token}", max_size=None)
    await host.recv()
    await call(host, 1, "chsh.createGame", {})
    while True:
        frame = json.loads(await host.recv())
        if frame.get("re") == 1:
            game = frame["data"]["game"]
            break
    tokens = [post("/auth/guest", {"displayName": f"p{i}"})["accessToken"] for i in range(TEAMS * 2)]
    answered, stop = [0], asyncio.Event()
    tasks = [asyncio.create_task(player(tokens[2 * t + s], game["joinCode"], f"team {t}", s + 1, answered, stop))
             for t in range(TEAMS) for s in range(2)]
    await asyncio.sleep(5)
    await call(host, 2, "chsh.start", {"gameId": game["id"]})
    dashboards = [0]
    async def drain():
        async for message in host:
            if json.loads(message).get("type") == "chsh.dashboard":
                dashboards[0] += 1
    drainer = asyncio.create_task(drain())
    started, samples = time.time(), []
    while time.time() - started < DURATION:
        await asyncio.sleep(10)
        samples.append((round(time.time() - started), rss_kib(server.pid), answered[0], dashboards[0]))
        print(f"t={samples[-1][0]:>4} s  rss={samples[-1][1] / 1024:7.1f} MiB  answers={samples[-1][2]:>7}  dashboards={samples[-1][3]}", flush=True)
    stop.set()
    for task in tasks:
        task.cancel()
    drainer.cancel()
    warm = samples[len(samples) // 4] if len(samples) >= 4 else samples[0]
    last = samples[-1]
    print(f"summary: {TEAMS} teams, {DURATION} s, {last[2]} answers, {last[3]} dashboards; RSS after warm-up "
          f"(t={warm[0]} s) {warm[1] / 1024:.1f} MiB, at the end {last[1] / 1024:.1f} MiB, max {max(s[1] for s in samples) / 1024:.1f} MiB")

server = subprocess.Popen([BIN, "serve", "--port", str(PORT)], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.2)
    asyncio.run(main(server))
finally:
    server.terminate()
    server.wait(30)
