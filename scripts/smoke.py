#!/usr/bin/env python3
"""Drives the built `switchboard` binary the way an operator and a client would.

Checks what only a real process shows: the `listening on` line, `switchboard user create`,
`routes` and `migrate`, SIGTERM draining (hub.shutdown, close 1012, exit 0), a restart that
keeps data and flags, and production refusing insecure defaults. Needs `websockets` (pip).
Usage: scripts/smoke.py [path/to/switchboard]
"""
import asyncio, json, os, re, signal, subprocess, sys, tempfile, time, urllib.request, urllib.error
import websockets

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/switchboard"
TMP = tempfile.mkdtemp(prefix="sb-smoke-")
ENV = dict(os.environ, DATABASE_URL=f"sqlite://{TMP}/smoke.sqlite", AUTH_BCRYPT_COST="4", LOG_LEVEL="info")
results = []

def check(name, condition, detail=""):
    results.append(condition)
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f"  -- {detail}"), flush=True)

def start(port):
    proc = subprocess.Popen([BIN, "serve", "--port", str(port)], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    lines = []
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if f"listening on http://127.0.0.1:{port}" in line:
            return proc, lines
    raise SystemExit("server did not start:\n" + "".join(lines))

def http(method, port, path, body=None, token=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

def cli(*args, stdin=""):
    return subprocess.run([BIN, *args], env=ENV, input=stdin, capture_output=True, text=True, timeout=120)

async def session(port):
    created = cli("user", "create", "root", "--role", "admin", "--display-name", "Root", stdin="s3cret-password\n")
    check("user create exits 0", created.returncode == 0, created.stderr)
    again = cli("user", "create", "root", "--role", "admin", stdin="s3cret-password\n")
    check("user create refuses a taken name", again.returncode != 0 and "taken" in again.stderr, again.stderr)
    routes = cli("routes")
    check("routes lists kernel and module commands", "hub.ping" in routes.stdout and "poll.vote" in routes.stdout, routes.stdout)
    migrate = cli("migrate")
    check("migrate has nothing pending", "no pending migrations" in migrate.stdout, migrate.stdout + migrate.stderr)

    proc, _ = start(port)
    status, login = http("POST", port, "/auth/login", {"username": "root", "password": "s3cret-password"})
    check("the operator-made admin logs in", status == 200 and login["user"]["role"] == "admin", login)
    token = login["accessToken"]
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws?access_token={token}") as ws:
        welcome = json.loads(await ws.recv())
        check("welcome first", welcome["type"] == "hub.welcome", welcome)
        await ws.send(json.dumps({"id": 1, "type": "poll.create", "data": {"question": "Ship it?", "options": ["yes", "no"]}}))
        reply = json.loads(await ws.recv())
        poll = reply["data"]["poll"]["id"]
        await ws.send(json.dumps({"id": 2, "type": "poll.vote", "data": {"pollId": poll, "option": 0}}))
        check("vote acknowledged", json.loads(await ws.recv())["ok"])
        status, _ = http("PUT", port, "/admin/features/poll", {"enabled": False}, token)
        feature = json.loads(await ws.recv())
        check("hub.feature on toggle", status == 200 and feature == {"type": "hub.feature", "data": {"module": "poll", "enabled": False}}, feature)
        started = time.time()
        proc.send_signal(signal.SIGTERM)
        shutdown = json.loads(await ws.recv())
        check("SIGTERM sends hub.shutdown", shutdown["type"] == "hub.shutdown", shutdown)
        try:
            await ws.recv()
            check("close 1012 after hub.shutdown", False, "no close")
        except websockets.ConnectionClosed as closed:
            check("close 1012 after hub.shutdown", closed.rcvd is not None and closed.rcvd.code == 1012, closed)
    code = proc.wait(timeout=30)
    check("exit 0 within 30 s", code == 0 and time.time() - started < 30, f"exit {code}")

    proc, _ = start(port)
    status, login = http("POST", port, "/auth/login", {"username": "root", "password": "s3cret-password"})
    status, features = http("GET", port, "/admin/features", token=login["accessToken"])
    check("the flag survived the restart", features == {"modules": [{"name": "poll", "enabled": False}]}, features)
    http("PUT", port, "/admin/features/poll", {"enabled": True}, login["accessToken"])
    status, body = http("GET", port, f"/poll/polls/{poll}", token=login["accessToken"])
    check("the vote survived the restart", status == 200 and body["poll"]["options"][0]["votes"] == 1, body)
    proc.send_signal(signal.SIGINT)
    check("SIGINT exits 0", proc.wait(timeout=30) == 0)

    prod = subprocess.run([BIN, "serve", "--port", str(port)], env=dict(ENV, SWITCHBOARD_ENV="production"),
                          capture_output=True, text=True, timeout=60)
    check("production refuses the dev secret and '*' origins",
          prod.returncode != 0 and "AUTH_JWT_SECRET" in prod.stderr and "HTTP_ALLOWED_ORIGINS" in prod.stderr, prod.stderr)

asyncio.run(session(int(os.environ.get("SMOKE_PORT", "18080"))))
passed = sum(results)
print(f"smoke: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if all(results) else 1)
