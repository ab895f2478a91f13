#!/usr/bin/env python3
"""Verifies betting rounds without any Switchboard code: fetches settled rounds with
`betting.history` and recomputes each commitment and result from the revealed seed, exactly as
docs/modules/betting.md specifies (SHA-256 commitment; HMAC-SHA256 draw with rejection sampling).

    pip install websockets
    python3 examples/clients/verify_round.py [ROUND_ID] [--table table-1] [--url http://127.0.0.1:8080]

Without ROUND_ID it checks the table's last 20 settled rounds. Exit code 1 if any fails.
"""
import argparse, asyncio, hashlib, hmac, json, sys, urllib.request
import websockets

def draw(seed: bytes, round_id: str) -> int:
    """The first HMAC byte below 250, mod 10; on no such byte, the message gets ":1", ":2", …"""
    attempt = 0
    while True:
        message = round_id if attempt == 0 else f"{round_id}:{attempt}"
        for byte in hmac.new(seed, message.encode("utf-8"), hashlib.sha256).digest():
            if byte < 250:
                return byte % 10
        attempt += 1

def verify(round_) -> bool:
    seed = bytes.fromhex(round_["serverSeed"])
    commitment_ok = len(seed) == 32 and hashlib.sha256(seed).hexdigest() == round_["commitment"]
    result = draw(seed, round_["id"])
    ok = commitment_ok and result == round_["result"]
    print(f"{'✓' if ok else '✗'} round {round_['number']} ({round_['id']}): commitment "
          f"{'matches' if commitment_ok else 'DOES NOT MATCH'}, result {round_['result']} recomputed {result}")
    return ok

async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("round_id", nargs="?")
    parser.add_argument("--table", default="table-1")
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    args = parser.parse_args()
    request = urllib.request.Request(args.url + "/auth/guest", data=json.dumps({"displayName": "verifier"}).encode(),
                                     headers={"Content-Type": "application/json"})
    token = json.loads(urllib.request.urlopen(request).read())["accessToken"]
    ws_url = args.url.replace("http", "ws", 1) + "/ws?access_token=" + token
    rounds, cursor = [], None
    async with websockets.connect(ws_url) as ws:
        while True:
            data = {"table": args.table, "limit": 100}
            if cursor:
                data["before"] = cursor
            await ws.send(json.dumps({"id": 1, "type": "betting.history", "data": data}))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("re") == 1:
                    break
            if not reply["ok"]:
                sys.exit(f"betting.history failed: {reply['error']}")
            rounds += [r for r in reply["data"]["items"] if r["phase"] == "settled"]
            cursor = reply["data"]["nextCursor"]
            found = args.round_id and any(r["id"] == args.round_id for r in rounds)
            if found or not cursor or (not args.round_id and len(rounds) >= 20):
                break
    chosen = [r for r in rounds if r["id"] == args.round_id] if args.round_id else rounds[:20]
    if not chosen:
        sys.exit(f"no settled round {args.round_id or ''} at {args.table}")
    results = [verify(r) for r in chosen]
    sys.exit(0 if all(results) else 1)

asyncio.run(main())
