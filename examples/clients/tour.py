#!/usr/bin/env python3
"""A 60-second tour of Switchboard over a real socket: register, connect, subscribe, vote,
see the live tally, make a few mistakes, and recover missed events after a reconnect.

    pip install websockets
    python3 examples/clients/tour.py [http://127.0.0.1:8080]
"""
import asyncio, json, sys, urllib.request, urllib.error, uuid
import websockets

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
WS = BASE.replace("http", "ws", 1) + "/ws"

def post(path, body):
    request = urllib.request.Request(BASE + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())

def show(direction, frame):
    text = frame if isinstance(frame, str) else json.dumps(frame)
    print(f"{direction} {text if len(text) < 160 else text[:157] + '...'}")

async def send(ws, frame):
    show(">", frame)
    await ws.send(json.dumps(frame))

async def recv(ws):
    """The next frame, skipping the unread-notifications count every connection gets once
    (it may arrive before or after the first replies: events interleave with replies)."""
    while True:
        frame = json.loads(await ws.recv())
        if frame.get("type") != "notifications.unread":
            show("<", frame)
            return frame

async def main():
    name = "tour-" + uuid.uuid4().hex[:6]
    alice = post("/auth/register", {"username": name, "password": "correct horse", "displayName": "Alice"})
    print(f"POST /auth/register -> user {alice['user']['username']} ({alice['user']['role']}), token expires in {alice['expiresIn']} s")
    bob = post("/auth/guest", {"displayName": "Bob"})
    print(f"POST /auth/guest    -> guest {bob['user']['displayName']}")

    async with websockets.connect(WS, additional_headers={"Authorization": "Bearer " + alice["accessToken"]}) as a, \
               websockets.connect(WS + "?access_token=" + bob["accessToken"]) as b:
        await recv(a)
        await recv(b)
        await send(a, {"id": 1, "type": "poll.create", "data": {"question": "Tea or coffee?", "options": ["tea", "coffee"]}})
        poll = (await recv(a))["data"]["poll"]["id"]
        await send(a, {"id": 2, "type": "hub.subscribe", "data": {"topic": f"poll:{poll}"}})
        last_seq = (await recv(a))["data"]["seq"]
        await send(b, {"id": "v1", "type": "poll.vote", "data": {"pollId": poll, "option": 1}})
        await recv(b)
        tally = await recv(a)
        last_seq = tally["seq"]
        print("-- mistakes get precise errors and the connection stays open:")
        await send(b, {"id": "v2", "type": "poll.vote", "data": {"pollId": poll, "option": 0}})
        await recv(b)
        await send(b, {"id": 3, "type": "poll.create", "data": {"question": "Mine?", "options": ["a", "b"]}})
        await recv(b)
        await send(a, {"id": 4, "type": "poll.vote", "data": {"pollId": poll, "option": "tea"}})
        await recv(a)
        show(">", "not json at all")
        await a.send("not json at all")
        await recv(a)

    print("-- Alice is offline while Carol votes; on reconnect she asks for what she missed:")
    carol = post("/auth/guest", {"displayName": "Carol"})
    async with websockets.connect(WS + "?access_token=" + carol["accessToken"]) as c:
        await recv(c)
        await send(c, {"id": 1, "type": "poll.vote", "data": {"pollId": poll, "option": 0}})
        await recv(c)
    async with websockets.connect(WS, additional_headers={"Authorization": "Bearer " + alice["accessToken"]}) as a:
        await recv(a)
        await send(a, {"id": 5, "type": "hub.subscribe", "data": {"topic": f"poll:{poll}", "since": last_seq}})
        await recv(a)

asyncio.run(main())
