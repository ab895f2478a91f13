#!/usr/bin/env python3
"""Drives switchboard.js (GET /web/switchboard.js) in headless Chromium against the real binary.

The browser reaches the server through a TCP proxy this script controls, so connections can
be cut and refused like a flaky network would. Checks: request/reply; errors as objects with
the protocol's code, field and retryAfterMs; rate_limited retried only when asked; a dropped
connection recovered (the events published meanwhile delivered once each, in order, before
live ones); an access token that expires (refreshed and re-sent with hub.auth, no disconnect,
the subscription kept); a server restart (hub.shutdown's reconnectAfterMs honoured,
`recovered: false` surfaced, live events again afterwards).
Usage: scripts/browser_client_test.py [path/to/switchboard]
"""
import asyncio, json, os, signal, sys, tempfile, threading, time, urllib.request
import websockets
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port
import browserkit

BACKEND, PUBLIC = free_port(), free_port()
BASE = f"http://127.0.0.1:{PUBLIC}"
TMP = tempfile.mkdtemp(prefix="sb-client-")
TOKEN_TTL = 10  # seconds: the smallest the server allows; the warning comes at once

class Proxy:
    """Forwards PUBLIC to BACKEND; `cut()` drops every open connection, `refuse` turns new ones away."""
    def __init__(self):
        self.refuse = False
        self.open = set()
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(10)

    async def _serve(self):
        self.server = await asyncio.start_server(self._client, "127.0.0.1", PUBLIC)

    async def _client(self, reader, writer):
        if self.refuse:
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", BACKEND)
        except OSError:
            writer.close()
            return
        pair = (writer, upstream_writer)
        self.open.add(pair)
        async def pump(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()
        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))
        self.open.discard(pair)

    def cut(self):
        def close_all():
            for client, upstream in list(self.open):
                client.transport.abort()
                upstream.transport.abort()
            self.open.clear()
        self.loop.call_soon_threadsafe(close_all)

def start_server():
    return browserkit.start_server(
        BACKEND, DATABASE_URL=f"sqlite://{TMP}/client.sqlite", AUTH_ACCESS_TOKEN_TTL_SECONDS=str(TOKEN_TTL),
        HUB_SHUTDOWN_RECONNECT_AFTER_MS="1500", HUB_SHUTDOWN_GRACE_MS="200",
        # Bob logs in for every batch (his tokens live 10 s) and sends in bursts
        RATE_LIMIT_AUTH_LOGIN="1000/1s", RATE_LIMIT_CHAT_SEND="1000/1s")

post = lambda path, body: browserkit.post(f"http://127.0.0.1:{BACKEND}", path, body)

async def send_as_bob(texts):
    """Bob sends `texts` to the room over his own socket (straight to the server)."""
    bob = post("/auth/login", {"username": "bob", "password": "password1"})
    async with websockets.connect(f"ws://127.0.0.1:{BACKEND}/ws?access_token={bob['accessToken']}") as ws:
        async def reply(frame):
            await ws.send(json.dumps(frame))
            while True:
                answer = json.loads(await ws.recv())
                if answer.get("re") == frame["id"]:
                    return answer
        await reply({"id": 0, "type": "chat.join", "data": {"room": "lobby"}})
        for index, text in enumerate(texts):
            answer = await reply({"id": index + 1, "type": "chat.send", "data": {"room": "lobby", "text": text}})
            assert answer["ok"], answer

def wait_for(condition, timeout=20, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()

HARNESS = """
const refreshToken = arguments[0];
const { connect } = await import("/web/switchboard.js");
const t = window.t = { events: [], states: [], recoveries: [], refreshes: 0, refreshToken, errors: [] };
async function refresh() {
  const response = await fetch("/auth/refresh", { method: "POST", headers: { "Content-Type": "application/json" },
                                                  body: JSON.stringify({ refreshToken: t.refreshToken }) });
  const pair = await response.json();
  t.refreshToken = pair.refreshToken;
  t.accessToken = pair.accessToken;
  t.refreshes += 1;
  return pair.accessToken;
}
await refresh();
t.refreshes = 0;
const sb = window.sb = connect({ getToken: () => t.accessToken, refresh, minReconnectDelayMs: 200, maxReconnectDelayMs: 1000 });
sb.on("state", (s) => t.states.push({ ...s, at: Date.now() }));
sb.on("connected", () => sb.request("chat.join", { room: "lobby" }).catch((e) => t.errors.push(e.code)));
await sb.request("chat.join", { room: "lobby" });
const sub = sb.subscribe("chat:lobby", {
  onEvent: (event) => { if (event.type === "chat.message") t.events.push({ seq: event.seq, text: event.data.message.text }); },
  onRecovery: (r) => t.recoveries.push(r),
});
await sub.ready;
return true;
"""

proxy = Proxy()
server = start_server()
driver = chromium()
driver.set_script_timeout(30)
js = lambda script, *args: driver.execute_async_script(
    "const done = arguments[arguments.length - 1]; (async () => {" + script + "})().then(done, (e) => done({thrown: String(e), code: e.code, field: e.field, retryAfterMs: e.retryAfterMs}));", *args)
texts = lambda: [event["text"] for event in driver.execute_script("return window.t.events")]

try:
    post("/auth/register", {"username": "bob", "password": "password1", "displayName": "Bob"})
    alice = post("/auth/register", {"username": "alice", "password": "password1", "displayName": "Alice"})
    driver.get(BASE + "/web")
    ready = js(HARNESS, alice["refreshToken"])
    check("the library connects and subscribes", ready is True, ready)

    # request/reply and errors
    pong = js("return await window.sb.request('hub.ping');")
    check("request resolves with the reply's data", isinstance(pong.get("serverTime"), int), pong)
    invalid = js("await window.sb.request('chat.send', { room: 'lobby' });")
    check("an error reply rejects with its code and field", invalid.get("code") == "validation_failed" and invalid.get("field") == "text", invalid)
    unknown = js("await window.sb.request('nope.nothing');")
    check("an unknown type rejects with unknown_type", unknown.get("code") == "unknown_type", unknown)
    limited = js("""
        await window.sb.request('chat.typing', { room: 'lobby', typing: true });
        try { await window.sb.request('chat.typing', { room: 'lobby', typing: true }); return { passed: true }; }
        catch (e) { return { code: e.code, retryAfterMs: e.retryAfterMs }; }""")
    check("rate_limited rejects with retryAfterMs, not retried by default",
          limited.get("code") == "rate_limited" and limited.get("retryAfterMs", 0) > 0, limited)
    retried = js("""
        await new Promise((r) => setTimeout(r, 1100));
        await window.sb.request('chat.typing', { room: 'lobby', typing: true });
        const started = Date.now();
        await window.sb.request('chat.typing', { room: 'lobby', typing: false }, { retryRateLimited: true });
        return { waited: Date.now() - started };""")
    check("rate_limited is retried after retryAfterMs when asked", retried.get("waited", 0) >= 500, retried)

    # live events, then a dropped connection with events published while it is down
    asyncio.run(send_as_bob(["one", "two"]))
    wait_for(lambda: texts() == ["one", "two"])
    check("live events arrive in order", texts() == ["one", "two"], texts())
    proxy.refuse = True
    proxy.cut()
    check("a cut connection is noticed (reconnecting)", wait_for(lambda: driver.execute_script("return window.sb.state") == "reconnecting"),
          driver.execute_script("return window.t.states"))
    asyncio.run(send_as_bob(["three", "four", "five"]))
    proxy.refuse = False
    wait_for(lambda: len(texts()) >= 5)
    asyncio.run(send_as_bob(["six"]))
    wait_for(lambda: len(texts()) >= 6)
    check("missed events are recovered once each and in order, before live ones",
          texts() == ["one", "two", "three", "four", "five", "six"], texts())
    recoveries = driver.execute_script("return window.t.recoveries")
    check("the recovery is reported (recovered: true, 3 missed)", recoveries and recoveries[-1] == {"recovered": True, "missed": 3}, recoveries)
    seqs = [event["seq"] for event in driver.execute_script("return window.t.events")]
    check("sequence numbers only increase", seqs == sorted(set(seqs)), seqs)
    attempts = [s for s in driver.execute_script("return window.t.states") if s["state"] == "reconnecting"]
    check("reconnecting carries the attempt and the delay", attempts and all("attempt" in s and "inMs" in s for s in attempts), attempts)

    # the access token expires: refreshed through the app, re-sent with hub.auth, no disconnect
    disconnects_before = len([s for s in driver.execute_script("return window.t.states") if s["state"] == "disconnected"])
    time.sleep(TOKEN_TTL + 2)
    refreshes = driver.execute_script("return window.t.refreshes")
    check("hub.token_expiring refreshes the token through the app", refreshes >= 1, refreshes)
    disconnects_after = len([s for s in driver.execute_script("return window.t.states") if s["state"] == "disconnected"])
    check("the connection outlives the first token", disconnects_after == disconnects_before and driver.execute_script("return window.sb.state") == "connected",
          driver.execute_script("return window.t.states"))
    asyncio.run(send_as_bob(["seven"]))
    check("the subscription is kept across the token change", wait_for(lambda: texts()[-1:] == ["seven"]), texts())

    # a server restart: hub.shutdown, then recovered: false, then live events again
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    states = wait_for(lambda: [s for s in driver.execute_script("return window.t.states") if s["state"] == "reconnecting" and s.get("at", 0) > 0][-1:])
    check("hub.shutdown's reconnectAfterMs is honoured", states and states[-1]["inMs"] >= 1400, states)
    server = start_server()
    check("the client reconnects after the restart", wait_for(lambda: driver.execute_script("return window.sb.state") == "connected", timeout=30),
          driver.execute_script("return window.t.states"))
    recoveries = wait_for(lambda: driver.execute_script("return window.t.recoveries")[1:])
    check("history lost in the restart is surfaced as recovered: false", recoveries and recoveries[-1]["recovered"] is False, recoveries)
    asyncio.run(send_as_bob(["eight"]))
    check("live events flow after the restart", wait_for(lambda: texts()[-1:] == ["eight"]), texts())
    closed = js("window.sb.close(); try { await window.sb.request('hub.ping'); } catch (e) { return { code: e.code }; }")
    check("after close() requests fail with closed", closed.get("code") == "closed", closed)
finally:
    driver.quit()
    server.terminate()

finish("client library")
