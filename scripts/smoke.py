#!/usr/bin/env python3
"""Drives the built `switchboard` binary the way an operator and a client would.

Checks what only a real process shows: the `listening on` line, `switchboard user create`,
`routes` and `migrate`, SIGTERM draining (hub.shutdown, close 1012, exit 0), a restart that
keeps data and flags, production refusing insecure defaults, and kill -9 during concurrent,
pipelined writes of every module that writes: chat messages, bets, tickets with comments,
notifications, CHSH answers (nothing acknowledged lost, every wallet equal to its ledger, no SLA
warning or breach raised twice or out of order). Needs `websockets` (pip).
Usage: scripts/smoke.py [path/to/switchboard]; SMOKE_ONLY=scenario[,scenario] runs only those.
"""
import asyncio, faulthandler, hashlib, hmac, json, os, queue, re, signal, socket, subprocess, sys, tempfile, threading, time
from decimal import Decimal
import urllib.request, urllib.error
import websockets

# a hang anywhere is a failure with a traceback, never a CI run that stops only at its time limit
faulthandler.dump_traceback_later(1200, exit=True)

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/switchboard"
TMP = tempfile.mkdtemp(prefix="sb-smoke-")
ENV = dict(os.environ, DATABASE_URL=f"sqlite://{TMP}/smoke.sqlite", AUTH_BCRYPT_COST="4", LOG_LEVEL="info")
results = []
spawned = []

import atexit
from hubkit import free_port, http, launch as hubkit_launch

@atexit.register
def stop_all():
    """A failed check must not leave a server holding the port for the next run."""
    for proc in spawned:
        if proc.poll() is None:
            proc.kill()

def check(name, condition, detail=""):
    results.append(condition)
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f"  -- {detail}"), flush=True)

class StartupFailed(Exception):
    pass

def launch(env, port, extra=(), expect=None, within=60, log=None):
    """Starts `switchboard serve` and waits, at most `within` seconds, for the line `expect`
    (hubkit.launch); a server that does not get there is killed and fails the check. Every
    line the server prints also goes to `log` when given."""
    proc, seen, started = hubkit_launch(BIN, port, env, extra, expect, within, log)
    spawned.append(proc)
    if started:
        return proc, seen
    proc.kill()
    raise StartupFailed(f"no '{expect or 'listening on'}' within {within} s:\n" + "".join(seen[-20:]))

def start(port):
    return launch(ENV, port)

def cli(*args, stdin=""):
    return subprocess.run([BIN, *args], env=ENV, input=stdin, capture_output=True, text=True, timeout=120)

async def reply(ws, frame, within=20):
    """Sends a command and returns its reply, skipping events that arrive first; fails after `within` s."""
    await ws.send(json.dumps(frame))
    deadline = time.time() + within
    while True:
        answer = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, deadline - time.time())))
        if answer.get("re") == frame["id"]:
            return answer

async def session(port):
    created = cli("user", "create", "root", "--role", "admin", "--display-name", "Root", stdin="s3cret-password\n")
    check("user create exits 0", created.returncode == 0, created.stderr)
    again = cli("user", "create", "root", "--role", "admin", stdin="s3cret-password\n")
    check("user create refuses a taken name", again.returncode != 0 and "taken" in again.stderr, again.stderr)
    routes = cli("routes")
    check("routes lists kernel and module commands", "hub.ping" in routes.stdout and "poll.vote" in routes.stdout, routes.stdout)
    check("routes lists each module's events", "chat.message" in routes.stdout and "presence.diff" in routes.stdout
          and "ephemeral" in routes.stdout, routes.stdout)
    migrate = cli("migrate")
    check("migrate has nothing pending", "no pending migrations" in migrate.stdout, migrate.stdout + migrate.stderr)

    proc, _ = start(port)
    status, login = http("POST", port, "/auth/login", {"username": "root", "password": "s3cret-password"})
    check("the operator-made admin logs in", status == 200 and login["user"]["role"] == "admin", login)
    token = login["accessToken"]
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
        welcome = json.loads(await ws.recv())
        check("welcome first", welcome["type"] == "hub.welcome", welcome)
        created = await reply(ws, {"id": 1, "type": "poll.create", "data": {"question": "Ship it?", "options": ["yes", "no"]}})
        poll = created["data"]["poll"]["id"]
        voted = await reply(ws, {"id": 2, "type": "poll.vote", "data": {"pollId": poll, "option": 0}})
        check("vote acknowledged", voted["ok"], voted)
        status, _ = http("PUT", port, "/admin/features/poll", {"enabled": False}, token)
        feature = json.loads(await ws.recv())
        while feature["type"] != "hub.feature":
            feature = json.loads(await ws.recv())
        check("hub.feature on toggle", status == 200 and feature == {"type": "hub.feature", "data": {"module": "poll", "enabled": False}}, feature)
        started = time.time()
        proc.send_signal(signal.SIGTERM)
        shutdown = json.loads(await ws.recv())
        while shutdown.get("type") not in ("hub.shutdown", None):
            shutdown = json.loads(await ws.recv())
        check("SIGTERM sends hub.shutdown", shutdown["type"] == "hub.shutdown", shutdown)
        try:
            await ws.recv()
            check("close 1012 after hub.shutdown", False, "no close")
        except websockets.ConnectionClosed as closed:
            check("close 1012 after hub.shutdown", closed.rcvd is not None and closed.rcvd.code == 1012, closed)
    code = proc.wait(timeout=30)
    check("exit 0 within 10 s (no service holds the shutdown)", code == 0 and time.time() - started < 10, f"exit {code} after {time.time() - started:.1f} s")

    proc, _ = start(port)
    status, login = http("POST", port, "/auth/login", {"username": "root", "password": "s3cret-password"})
    status, features = http("GET", port, "/admin/features", token=login["accessToken"])
    check("the flag survived the restart", {"name": "poll", "enabled": False} in features["modules"], features)
    http("PUT", port, "/admin/features/poll", {"enabled": True}, login["accessToken"])
    status, body = http("GET", port, f"/poll/polls/{poll}", token=login["accessToken"])
    check("the vote survived the restart", status == 200 and body["poll"]["options"][0]["votes"] == 1, body)
    proc.send_signal(signal.SIGINT)
    check("SIGINT exits 0", proc.wait(timeout=30) == 0)

    prod = subprocess.run([BIN, "serve", "--port", str(port)], env=dict(ENV, SWITCHBOARD_ENV="production"),
                          capture_output=True, text=True, timeout=60)
    check("production refuses the dev secret and '*' origins",
          prod.returncode != 0 and "AUTH_JWT_SECRET" in prod.stderr and "HTTP_ALLOWED_ORIGINS" in prod.stderr, prod.stderr)
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "configs", "production.json")
    try:
        proc, lines = launch(dict(ENV, AUTH_JWT_SECRET=os.urandom(32).hex()), port, extra=("--config", config), expect="listening on http://")
        line = lines[-1]
    except StartupFailed as failure:
        proc, line = None, str(failure)
    check("examples/configs/production.json starts with a real secret; --port beats the file",
          f"listening on http://0.0.0.0:{port}" in line, line)
    if proc:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

async def idle(port):
    """A client that never answers pings is closed with 1001 after the idle timeout."""
    import base64, socket
    env = dict(ENV, HUB_HEARTBEAT_MS="200", HUB_IDLE_TIMEOUT_MS="300", DATABASE_URL=f"sqlite://{TMP}/idle.sqlite")
    proc, _ = launch(env, port)
    status, guest = http("POST", port, "/auth/guest", {"displayName": "idler"})
    sock = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws?access_token={guest['accessToken']} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    sock.settimeout(5)
    data = b""
    started = time.time()
    close_code = None
    try:
        while close_code is None and time.time() - started < 5:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
            body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
            while len(body) >= 2:
                opcode, length = body[0] & 0x0F, body[1] & 0x7F
                offset = 2 + (2 if length == 126 else 8 if length == 127 else 0)
                if length >= 126:
                    length = int.from_bytes(body[2:offset], "big")
                if len(body) < offset + length:
                    break
                if opcode == 0x8:
                    close_code = int.from_bytes(body[offset:offset + 2], "big")
                body = body[offset + length:]
    except socket.timeout:
        pass
    # how fast it closes is for a benchmark; that it closes, with 1001, is the behaviour
    check("a client that never answers pings is closed with 1001", close_code == 1001, f"{close_code} after {time.time() - started:.1f}s")
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)

async def outage(port):
    """PostgreSQL goes away: commands answer unavailable, readiness names the database; it comes back: service resumes."""
    import glob
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        print("SKIP database outage: PostgreSQL is not installed")
        return
    pg_env = dict(os.environ, SWITCHBOARD_TEST_PG_STATE=tempfile.mkdtemp(prefix="sb-smoke-pg-"),
                  SWITCHBOARD_TEST_PG_PORT=str(free_port()))
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pg-throwaway.sh")
    url = subprocess.run([script, "start"], env=pg_env, capture_output=True, text=True, check=True).stdout.strip()
    env = dict(ENV, DATABASE_URL=url, DATABASE_LEASE_TIMEOUT_MS="1000")
    log = []
    try:
        proc, _ = launch(env, port, log=log)
    except StartupFailed:
        subprocess.run([script, "stop"], env=pg_env)
        raise
    try:
        status, guest = http("POST", port, "/auth/guest", {"displayName": "outage"})
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={guest['accessToken']}") as ws:
            await ws.recv()
            async def code(n):
                answer = await asyncio.wait_for(reply(ws, {"id": n, "type": "poll.get", "data": {"pollId": "none"}}), 15)
                return answer["error"]["code"]
            check("with the database up, a lookup answers not_found", await code(1) == "not_found")
            subprocess.run([script, "pause"], env=pg_env, check=True)
            check("with the database down, commands answer unavailable", await code(2) == "unavailable")
            status, body = http("GET", port, "/readyz")
            check("readiness is 503 and names the database", status == 503 and body["error"].get("field") == "database", body)
            subprocess.run([script, "resume"], env=pg_env, check=True)
            recovered = False
            for n in range(3, 40):
                if await code(n) == "not_found":
                    recovered = True
                    break
                await asyncio.sleep(0.5)
            check("service resumes when the database returns, without a restart", recovered)
            check("the connection survived the outage", ws.state.name == "OPEN")
        # in cluster mode (PostgreSQL) the bus listener reconnects by itself too: /readyz names
        # "bus" until it listens again
        waited = time.time()
        status, body = http("GET", port, "/readyz")
        while status != 200 and time.time() - waited < 10:
            time.sleep(0.2)
            status, body = http("GET", port, "/readyz")
        check(f"readiness is 200 again ({time.time() - waited:.1f} s after commands recovered)", status == 200, body)
    except BaseException:
        print("the server's last lines:\n" + "".join(log[-40:]))
        raise
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        subprocess.run([script, "stop"], env=pg_env)

async def sqlite_disk_full(port):
    """The SQLite disk fills up mid-run (a small tmpfs): writes answer unavailable, /readyz is 503
    naming the database, the connection stays open and reads go on; space comes back: writes
    resume without a restart, and the file passes integrity_check holding every acknowledged
    message (#17)."""
    import sqlite3
    mnt = tempfile.mkdtemp(prefix="sb-smoke-full-")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt], capture_output=True).returncode != 0:
        print("SKIP SQLite disk full: cannot mount a small tmpfs here (needs root)")
        return
    try:
        env = dict(ENV, DATABASE_URL=f"sqlite://{mnt}/full.sqlite", RATE_LIMIT_CHAT_SEND="off")
        proc, _ = launch(env, port)
        try:
            login = http("POST", port, "/auth/register", {"username": "filler", "password": "correct horse", "displayName": "Filler"})[1]
            acked = []
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={login['accessToken']}") as ws:
                await ws.recv()
                await reply(ws, {"id": "join", "type": "chat.join", "data": {"room": "general"}})

                async def send(n):
                    answer = await reply(ws, {"id": n, "type": "chat.send", "data": {"room": "general", "text": f"message {n}"}})
                    if answer.get("ok"):
                        acked.append(answer["data"]["message"]["id"])
                    return answer
                for n in range(1, 21):
                    await send(n)
                filler = os.path.join(mnt, "filler")
                with open(filler, "wb") as f:
                    try:
                        while True:
                            f.write(b"\0" * 65536)
                            f.flush()
                    except OSError:
                        pass
                full = await send(21)
                check("disk full: a write answers unavailable", full.get("error", {}).get("code") == "unavailable", full)
                status, body = http("GET", port, "/readyz")
                check("disk full: /readyz is 503 naming the database", status == 503 and body["error"].get("field") == "database", body)
                history = await reply(ws, {"id": "h", "type": "chat.history", "data": {"room": "general", "limit": 50}})
                check("disk full: reads go on", history.get("ok") and len(history["data"]["items"]) == 20, history.get("error"))
                os.remove(filler)
                resumed = None
                for n in range(22, 60):
                    resumed = await send(n)
                    if resumed.get("ok"):
                        break
                    await asyncio.sleep(0.25)
                check("disk full: writes resume once there is space, without a restart", resumed.get("ok"), resumed)
                status, _ = http("GET", port, "/readyz")
                check("disk full: /readyz is 200 again", status == 200, status)
                check("disk full: the connection survived", ws.state.name == "OPEN")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        with sqlite3.connect(f"{mnt}/full.sqlite") as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            stored = {row[0] for row in db.execute("SELECT id FROM chat_messages")}
        check("disk full: the file passes integrity_check", integrity == "ok", integrity)
        check("disk full: every acknowledged message is stored", acked and set(acked) <= stored,
              f"{len(acked)} acknowledged, {len(set(acked) - stored)} missing")
    finally:
        subprocess.run(["umount", mnt], capture_output=True)

def serve_with(port, name, **overrides):
    return launch(dict(ENV, DATABASE_URL=f"sqlite://{TMP}/{name}.sqlite", **overrides), port)[0]

def ws_frames(data):
    """Complete server frames in `data` (after the HTTP head): [(opcode, payload)], rest."""
    frames = []
    while len(data) >= 2:
        opcode, length = data[0] & 0x0F, data[1] & 0x7F
        offset = 2 + (2 if length == 126 else 8 if length == 127 else 0)
        if len(data) < offset:
            break
        if length >= 126:
            length = int.from_bytes(data[2:offset], "big")
        if len(data) < offset + length:
            break
        frames.append((opcode, data[offset:offset + length]))
        data = data[offset + length:]
    return frames, data

def masked_text(text):
    payload, mask = text.encode(), os.urandom(4)
    head = bytes([0x81, 0x80 | len(payload)]) if len(payload) < 126 else bytes([0x81, 0xFE]) + len(payload).to_bytes(2, "big")
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))

async def slow_consumer(port):
    """A client that stops reading is closed with 4008 once its queue is full; the others get everything."""
    import base64, socket
    proc = serve_with(port, "slow", HUB_OUTBOUND_MAX_FRAMES="64", RATE_LIMIT_CHAT_SEND="off")
    try:
        tokens = [http("POST", port, "/auth/register", {"username": f"slow{n}", "password": "correct horse",
                                                         "displayName": f"slow {n}"})[1]["accessToken"] for n in range(2)]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /ws?access_token={tokens[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        sock.sendall(masked_text(json.dumps({"id": 1, "type": "chat.join", "data": {"room": "slow"}})))
        sock.settimeout(5)
        data = b""
        while b'"re":1' not in data:
            data += sock.recv(65536)
        # from here on the slow client reads nothing
        count = 1500
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={tokens[1]}", max_queue=None, max_size=None) as fast:
            await reply(fast, {"id": 1, "type": "chat.join", "data": {"room": "slow"}})
            text = "y" * 3900
            acks, seen = 0, set()

            def note(frame):
                if frame.get("type") == "chat.message":
                    seen.add(frame["data"]["message"]["text"].split(" ")[0])
                return frame

            for n in range(count):
                await fast.send(json.dumps({"id": 100 + n, "type": "chat.send", "data": {"room": "slow", "text": f"{n} {text}"}}))
                while True:
                    frame = note(json.loads(await fast.recv()))
                    if frame.get("re") == 100 + n:
                        acks += 1 if frame.get("ok") else 0
                        break
            deadline = time.time() + 20
            while len(seen) < count and time.time() < deadline:
                note(json.loads(await asyncio.wait_for(fast.recv(), 20)))
            check("a healthy member gets every message while another stops reading", acks == count and len(seen) == count,
                  f"acks {acks}, seen {len(seen)}")
            check("the healthy connection stays open", fast.state.name == "OPEN")
        sock.settimeout(10)
        data = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else data
        close_code, delivered = None, 0
        try:
            while close_code is None:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
                frames, data = ws_frames(data)
                for opcode, payload in frames:
                    if opcode == 0x8:
                        close_code = int.from_bytes(payload[:2], "big")
                    elif b'"chat.message"' in payload:
                        delivered += 1
        except socket.timeout:
            pass
        check("the client that stopped reading is closed with 4008 (slow consumer)", close_code == 4008 and delivered < count,
              f"close {close_code}, delivered {delivered} of {count}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

async def load_tool(port):
    """switchboard-load drives a real server: nothing lost, acknowledged, and it refuses non-loopback targets."""
    tool = os.path.join(os.path.dirname(BIN), "switchboard-load")
    proc = serve_with(port, "load", RATE_LIMIT_CHAT_SEND="off", RATE_LIMIT_AUTH_REGISTER="off", RATE_LIMIT_AUTH_GUEST="off")
    try:
        out = os.path.join(TMP, "fanout.json")
        run = subprocess.run([tool, "fanout", "--port", str(port), "--subs", "5", "--rate", "20", "--duration", "1",
                              "--server-pid", str(proc.pid), "--json", out], capture_output=True, text=True, timeout=120)
        report = json.load(open(out)) if run.returncode == 0 else {}
        check("switchboard-load fanout: every message delivered to every subscriber and acknowledged",
              report.get("delivered") == report.get("expected") == 100 and report.get("acknowledged") == 20
              and report.get("errors") == {} and report.get("latencyMs", {}).get("count") == 100, run.stdout[-800:] + run.stderr[-800:])
        out = os.path.join(TMP, "connect.json")
        run = subprocess.run([tool, "connect", "--port", str(port), "--conns", "50", "--json", out],
                             capture_output=True, text=True, timeout=120)
        report = json.load(open(out)) if run.returncode == 0 else {}
        check("switchboard-load connect: 50 authenticated connections", report.get("opened") == 50 and report.get("connectFailures") == 0,
              run.stdout[-800:] + run.stderr[-800:])
        run = subprocess.run([tool, "idle", "--host", "10.1.2.3", "--conns", "1"], capture_output=True, text=True, timeout=60)
        check("switchboard-load refuses a non-loopback target", run.returncode != 0 and "loopback" in run.stderr, run.stderr[-300:])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

async def crash(port):
    """kill -9 in the middle of concurrent writes: every acknowledged message is there after the restart."""
    def serve():
        return serve_with(port, "crash", RATE_LIMIT_CHAT_SEND="off", RATE_LIMIT_AUTH_REGISTER="off")
    proc = serve()
    tokens = [http("POST", port, "/auth/register", {"username": f"crash{n}", "password": "correct horse",
                                                     "displayName": f"crash {n}"})[1]["accessToken"] for n in range(20)]
    acked = set()
    disorder = []

    async def writer(token):
        # every writer pipelines: 200 sends without waiting, so the server runs each one while
        # the previous replies wait for their flush (issue #16); replies must come in order
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
            await reply(ws, {"id": 0, "type": "chat.join", "data": {"room": "crash"}})
            for n in range(200):
                await ws.send(json.dumps({"id": n + 1, "type": "chat.send", "data": {"room": "crash", "text": f"m{n}"}}))
            last = 0
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("re"):
                    if frame["re"] != last + 1:
                        disorder.append((last, frame["re"]))
                    last = frame["re"]
                if frame.get("re") and frame.get("ok"):
                    acked.add(frame["data"]["message"]["id"])

    writers = [asyncio.create_task(writer(t)) for t in tokens]
    deadline = time.time() + 30
    while len(acked) < 100 and time.time() < deadline:
        await asyncio.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    await asyncio.gather(*writers, return_exceptions=True)
    proc = serve()
    try:
        stored, before = set(), None
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={tokens[0]}") as ws:
            while True:
                page = await reply(ws, {"id": 1, "type": "chat.history", "data": dict({"room": "crash", "limit": 100}, **({"before": before} if before else {}))})
                stored |= {m["id"] for m in page["data"]["items"]}
                before = page["data"]["nextCursor"]
                if not before:
                    break
        check("kill -9 during concurrent writes loses no acknowledged message", acked and acked <= stored,
              f"{len(acked)} acknowledged, {len(acked - stored)} missing after the restart")
        check("pipelined sends are answered in the order sent", not disorder, disorder[:5])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

async def betting_crash(port):
    """kill -9 in the middle of concurrent bets: after the restart every acknowledged bet is
    stored, and each wallet's balance equals the sum of its ledger."""
    secret = "smoke-webhook-secret"
    def serve():
        return serve_with(port, "betting", RATE_LIMIT_BETTING_PLACE="off", RATE_LIMIT_AUTH_REGISTER="off",
                          MODULES_BETTING_WEBHOOK_SECRET=secret, MODULES_BETTING_BETTING_PHASE_MS="60000")
    proc = serve()
    tokens = []
    for n in range(10):
        status, pair = http("POST", port, "/auth/register", {"username": f"punter{n}", "password": "correct horse"})
        tokens.append(pair["accessToken"])
        body = json.dumps({"paymentId": f"smoke-{n}", "username": f"punter{n}", "amount": "50.00"}).encode()
        signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(f"http://127.0.0.1:{port}/betting/webhooks/payment", data=body,
                                         headers={"Content-Type": "application/json", "X-Signature": signature})
        urllib.request.urlopen(request, timeout=20).read()
    acked = set()

    async def bettor(token):
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
            while True:  # the clock opens the first round on its first tick
                state = await reply(ws, {"id": "state", "type": "betting.state", "data": {"table": "table-1"}})
                if (state["data"]["round"] or {}).get("phase") == "betting":
                    break
                await asyncio.sleep(0.1)
            round_id = state["data"]["round"]["id"]
            for n in range(80):
                await ws.send(json.dumps({"id": n, "type": "betting.place", "data": {
                    "table": "table-1", "roundId": round_id, "type": "parity", "selection": "even", "amount": "1",
                    "idempotencyKey": f"k{n}"}}))
            while True:
                frame = json.loads(await ws.recv())
                if "re" in frame and frame.get("ok"):
                    acked.add(frame["data"]["bet"]["id"])

    bettors = [asyncio.create_task(bettor(t)) for t in tokens]
    deadline = time.time() + 30
    while len(acked) < 100 and time.time() < deadline:
        await asyncio.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    failures = [r for r in await asyncio.gather(*bettors, return_exceptions=True) if not isinstance(r, websockets.ConnectionClosed)]
    proc = serve()
    try:
        stored, unsound = set(), []
        for token in tokens:
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
                bets = await reply(ws, {"id": 1, "type": "betting.myBets", "data": {"limit": 100}})
                stored |= {bet["id"] for bet in bets["data"]["items"]}
                balance = (await reply(ws, {"id": 2, "type": "betting.state", "data": {"table": "table-1"}}))["data"]["balance"]
                ledger = (await reply(ws, {"id": 3, "type": "betting.ledger", "data": {"limit": 100}}))["data"]["items"]
                total = sum(Decimal(entry["amount"]) for entry in ledger)  # exact: money is never a float
                if Decimal(balance) != total or (ledger and ledger[0]["balanceAfter"] != balance):
                    unsound.append((balance, total))
        check("kill -9 during concurrent bets loses no acknowledged bet", acked and acked <= stored,
              f"{len(acked)} acknowledged, {len(acked - stored)} missing after the restart; bettors: {failures}")
        check("after kill -9 every wallet's balance equals its ledger", not unsound, unsound)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    # the operator's check, on the same database with the server stopped
    env = dict(ENV, DATABASE_URL=f"sqlite://{TMP}/betting.sqlite")
    sound = subprocess.run([BIN, "betting", "reconcile"], env=env, capture_output=True, text=True, timeout=120)
    check("switchboard betting reconcile: exit 0 on sound books", sound.returncode == 0 and sound.stdout.startswith("ok"), sound.stdout + sound.stderr)
    import sqlite3
    with sqlite3.connect(f"{TMP}/betting.sqlite") as db:  # a balance changed behind the ledger's back
        db.execute("UPDATE betting_wallets SET balance = balance + 1 WHERE user_id = (SELECT MIN(user_id) FROM betting_wallets)")
    tampered = subprocess.run([BIN, "betting", "reconcile"], env=env, capture_output=True, text=True, timeout=120)
    check("switchboard betting reconcile: exit 1 naming the wallet that does not match its ledger",
          tampered.returncode == 1 and "ledger sums to" in tampered.stdout, tampered.stdout + tampered.stderr)

async def helpdesk_crash(port):
    """kill -9 while requesters file tickets and comment, an agent sends notifications and the
    SLA monitor raises warnings and breaches: after the restart every acknowledged ticket,
    comment and notification is there, and no SLA warning or breach was raised twice (#17)."""
    name = "helpdesk-crash"
    overrides = dict(RATE_LIMIT_TICKETS_CREATE="off", RATE_LIMIT_TICKETS_COMMENT="off", RATE_LIMIT_TICKETS_GET="off",
                     RATE_LIMIT_NOTIFICATIONS_LIST="off", RATE_LIMIT_AUTH_REGISTER="off",
                     MODULES_NOTIFICATIONS_SEND_PER_MINUTE="100000",
                     MODULES_TICKETS_SLA_NORMAL_FIRST_RESPONSE_SECONDS="2", MODULES_TICKETS_SLA_NORMAL_RESOLUTION_SECONDS="3",
                     MODULES_TICKETS_SLA_CHECK_INTERVAL_MS="100")
    env = dict(ENV, DATABASE_URL=f"sqlite://{TMP}/{name}.sqlite", **overrides)
    made = subprocess.run([BIN, "user", "create", "hdagent", "--role", "agent"], env=env, input="agent-password\n",
                          capture_output=True, text=True, timeout=120)
    check("helpdesk: user create --role agent", made.returncode == 0, made.stderr)
    proc = serve_with(port, name, **overrides)
    agent = http("POST", port, "/auth/login", {"username": "hdagent", "password": "agent-password"})[1]
    requesters = [http("POST", port, "/auth/register", {"username": f"req{n}", "password": "correct horse",
                                                        "displayName": f"req {n}"})[1] for n in range(8)]
    tickets, comments, notes = {}, {}, {}   # acknowledged: ticket id -> requester token; comment id -> ticket id; notification id -> token
    last_ack = [0.0]

    async def requester(login):
        token = login["accessToken"]
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
            sent = 0

            async def create():
                nonlocal sent
                sent += 1
                await ws.send(json.dumps({"id": f"t{sent}", "type": "tickets.create", "data": {"subject": f"broken {sent}", "description": "it broke"}}))
            for _ in range(20):   # twenty in flight, pipelined, until the server dies
                await create()
            while True:
                frame = json.loads(await ws.recv())
                re = frame.get("re") or ""
                if frame.get("ok") and re.startswith("t"):
                    ticket = frame["data"]["ticket"]["id"]
                    tickets[ticket] = token
                    last_ack[0] = time.time()
                    await ws.send(json.dumps({"id": f"c-{ticket}", "type": "tickets.comment", "data": {"ticketId": ticket, "body": "any news?"}}))
                    await create()
                elif frame.get("ok") and re.startswith("c-"):
                    comments[frame["data"]["comment"]["id"]] = re[2:]

    async def notifier():
        ids = [r["user"]["id"] for r in requesters]
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={agent['accessToken']}") as ws:
            sent = 0

            async def send():
                nonlocal sent
                sent += 1
                await ws.send(json.dumps({"id": sent, "type": "notifications.send", "data": {
                    "userIds": [ids[sent % len(ids)]], "category": "info", "title": f"note {sent}"}}))
            for _ in range(20):
                await send()
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("ok") and isinstance(frame.get("re"), int):
                    for nid in frame["data"]["ids"]:
                        notes[nid] = requesters[frame["re"] % len(ids)]["accessToken"]
                    await send()

    tasks = [asyncio.create_task(requester(r)) for r in requesters] + [asyncio.create_task(notifier())]
    deadline = time.time() + 60
    # past the SLA's warning and due times of the first tickets, with writes still going on
    await asyncio.sleep(3.5)
    while (len(tickets) < 150 or len(notes) < 100) and time.time() < deadline:
        await asyncio.sleep(0.01)
    killed_at = time.time()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    await asyncio.gather(*tasks, return_exceptions=True)
    proc = serve_with(port, name, **overrides)
    try:
        await asyncio.sleep(4)   # the monitor goes through what is due since the crash
        missing_tickets, missing_comments, twice, unordered = [], [], [], []
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={agent['accessToken']}") as ws:
            stored_comments = set()
            for n, ticket in enumerate(tickets):
                got = await reply(ws, {"id": n, "type": "tickets.get", "data": {"ticketId": ticket}})
                if not got.get("ok"):
                    missing_tickets.append(ticket)
                    continue
                t = got["data"]["ticket"]
                stored_comments |= {c["id"] for c in got["data"]["comments"]}
                for target in ("firstResponse", "resolution"):
                    if t[f"{target}Breached"] and not t[f"{target}Warned"]:
                        unordered.append((ticket, target))
            missing_comments = [c for c in comments if c not in stored_comments]
            # the agent is notified once per warning and once per breach of each ticket
            seen, before = {}, None
            while True:
                page = await reply(ws, {"id": "page", "type": "notifications.list", "data": dict({"limit": 100}, **({"before": before} if before else {}))})
                for item in page["data"]["items"]:
                    if item["title"].startswith("SLA "):
                        key = (item["link"], item["title"].split(":")[0])
                        seen[key] = seen.get(key, 0) + 1
                before = page["data"]["nextCursor"]
                if not before:
                    break
            twice = [key for key, count in seen.items() if count > 1]
        stored_notes = set()
        for token in {r["accessToken"] for r in requesters}:
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
                before = None
                while True:
                    page = await reply(ws, {"id": "p", "type": "notifications.list", "data": dict({"limit": 100}, **({"before": before} if before else {}))})
                    stored_notes |= {item["id"] for item in page["data"]["items"]}
                    before = page["data"]["nextCursor"]
                    if not before:
                        break
        missing_notes = [n for n in notes if n not in stored_notes]
        print(f"   helpdesk_crash: {len(tickets)} tickets, {len(comments)} comments and {len(notes)} notifications "
              f"acknowledged before kill -9; {sum(seen.values())} SLA notifications to the agent")
        check("helpdesk: the kill came while tickets were being acknowledged", killed_at - last_ack[0] < 0.5,
              f"last acknowledgement {killed_at - last_ack[0]:.2f} s before the kill")
        check("helpdesk: kill -9 loses no acknowledged ticket", tickets and not missing_tickets,
              f"{len(tickets)} acknowledged, {len(missing_tickets)} missing")
        check("helpdesk: kill -9 loses no acknowledged comment", comments and not missing_comments,
              f"{len(comments)} acknowledged, {len(missing_comments)} missing")
        check("notifications: kill -9 loses no acknowledged notification", notes and not missing_notes,
              f"{len(notes)} acknowledged, {len(missing_notes)} missing")
        check("helpdesk: SLA warnings and breaches were raised (the monitor ran across the crash)", len(seen) > 0, seen)
        check("helpdesk: no SLA warning or breach raised twice across kill -9", not twice, twice[:5])
        check("helpdesk: every breached target was warned first", not unordered, unordered[:5])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

async def chsh_classroom(port):
    """A teacher's CHSH game on the real binary: a host account made by the CLI, two guests
    from their phones, rounds played, kill -9 with an answer acknowledged mid-round; after the
    restart both players resume the same team and question, the round completes, and the CSV
    holds every acknowledged answer."""
    def serve():
        return serve_with(port, "chsh")
    env = dict(ENV, DATABASE_URL=f"sqlite://{TMP}/chsh.sqlite")
    made = subprocess.run([BIN, "user", "create", "teacher", "--role", "host"], env=env, input="teacher-password\n",
                          capture_output=True, text=True, timeout=120)
    check("chsh: user create --role host", made.returncode == 0, made.stderr)
    proc = serve()
    try:
        status, login = http("POST", port, "/auth/login", {"username": "teacher", "password": "teacher-password"})
        host_token = login["accessToken"]
        guests = [http("POST", port, "/auth/guest", {"displayName": name})[1]["accessToken"] for name in ("Ada", "Bob")]
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={host_token}") as host:
            game = (await reply(host, {"id": 1, "type": "chsh.createGame", "data": {}}))["data"]["game"]
            answered = []
            async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={guests[0]}") as ada, \
                       websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={guests[1]}") as bob:
                for ws in (ada, bob):
                    joined = await reply(ws, {"id": 1, "type": "chsh.joinGame", "data": {"joinCode": game["joinCode"].lower()}})
                bad = await reply(ada, {"id": 2, "type": "chsh.createTeam", "data": {"gameId": game["id"], "name": "\u0007"}})
                check("chsh: a control character in a team name is validation_failed", bad["error"]["code"] == "validation_failed", bad)
                await reply(ada, {"id": 3, "type": "chsh.createTeam", "data": {"gameId": game["id"], "name": "Entangled"}})
                team = await reply(bob, {"id": 3, "type": "chsh.joinTeam", "data": {"gameId": game["id"], "name": "entangled"}})
                check("chsh: two players in one team", len(team["data"]["team"]["members"]) == 2, team)
                await reply(host, {"id": 2, "type": "chsh.start", "data": {"gameId": game["id"]}})
                for n in range(6):
                    rounds = {}
                    for ws in (ada, bob):
                        state = await reply(ws, {"id": f"s{n}", "type": "chsh.state", "data": {"gameId": game["id"]}})
                        rounds[ws] = state["data"]["question"]
                    check(f"chsh: round {n + 1} dealt to both", rounds[ada]["roundId"] == rounds[bob]["roundId"]
                          and rounds[ada]["roundNumber"] == n + 1, rounds)
                    ack = await reply(ada, {"id": f"a{n}", "type": "chsh.answer", "data": {"roundId": rounds[ada]["roundId"], "answer": True}})
                    answered.append(ack["ok"])
                    if n == 5:
                        break  # Ada's answer to round 6 is acknowledged; Bob's is not sent
                    ack = await reply(bob, {"id": f"b{n}", "type": "chsh.answer", "data": {"roundId": rounds[bob]["roundId"], "answer": n % 2 == 0}})
                    answered.append(ack["ok"])
                proc.send_signal(signal.SIGKILL)
                proc.wait()
        proc = serve()
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={guests[1]}") as bob, \
                   websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={guests[0]}") as ada:
            states = [(await reply(ws, {"id": 1, "type": "chsh.state", "data": {"gameId": game["id"]}}))["data"] for ws in (ada, bob)]
            check("chsh: after kill -9 both resume the same team and round 6",
                  states[0]["team"]["name"] == "Entangled" and states[0]["question"]["roundNumber"] == 6
                  and states[0]["question"]["answered"] and not states[1]["question"]["answered"], states)
            done = await reply(bob, {"id": 2, "type": "chsh.answer", "data": {"roundId": states[1]["question"]["roundId"], "answer": False}})
            check("chsh: the interrupted round completes", done["ok"] and done["data"]["complete"], done)
            answered.append(done["ok"])
        request = urllib.request.Request(f"http://127.0.0.1:{port}/chsh/games/{game['id']}/export.csv",
                                         headers={"Authorization": f"Bearer {host_token}"})
        with urllib.request.urlopen(request, timeout=20) as r:
            rows = r.read().decode().strip().split("\r\n")
        check("chsh: the CSV holds every acknowledged answer", all(answered) and len(rows) == 1 + len(answered) == 13, rows)
        status, _ = http("GET", port, f"/chsh/games/{game['id']}/export.csv", token=guests[0])
        check("chsh: a player may not export", status == 403, status)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

async def scenario(run, within):
    """Runs one scenario on a free port; an exception or a hang past `within` s is a failure."""
    try:
        await asyncio.wait_for(run(free_port()), within)
    except Exception as error:
        check(f"{run.__name__} ran to the end", False, repr(error))

# SMOKE_ONLY=name[,name]: run only those scenarios (while working on one)
only = set(filter(None, os.environ.get("SMOKE_ONLY", "").split(",")))
for run, within in [(session, 300), (idle, 120), (outage, 300), (sqlite_disk_full, 120), (slow_consumer, 180), (load_tool, 180), (crash, 300),
                    (betting_crash, 300), (helpdesk_crash, 300), (chsh_classroom, 300)]:
    if not only or run.__name__ in only:
        asyncio.run(scenario(run, within))
passed = sum(results)
print(f"smoke: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if all(results) else 1)
