#!/usr/bin/env python3
"""Drives the chat app (GET /web) in two headless Chromium browsers against the real binary.

Alice (desktop) and Carol (phone width) use the app; Bob and an admin are plain WebSocket
clients. Checks: the room list with unread counts and last messages, a DM opened by
username and titled by the other person, who is here, the typing indicator, editing and
deleting one's own message (seen by both), history loaded on scroll with "Loading more…",
a notification toast (colour by category, markup shown as text, click to dismiss) and the
unread badge, and the reconnecting banner with its attempt number while the server restarts,
after which the app carries on with nothing lost.
Usage: scripts/browser_chat_test.py [path/to/switchboard]
"""
import asyncio, json, os, sys, tempfile, time
import websockets
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port, start_server
import browserkit

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TMP = tempfile.mkdtemp(prefix="sb-chat-")
DB = f"sqlite://{TMP}/chat.sqlite"
SETTINGS = dict(DATABASE_URL=DB, RATE_LIMIT_CHAT_SEND="off", RATE_LIMIT_AUTH_REGISTER="off", RATE_LIMIT_AUTH_LOGIN="off")
post = lambda path, body: browserkit.post(BASE, path, body)

made = browserkit.create_user(DB, "boss", "admin", "boss-password")
check("an admin account from the CLI", made.returncode == 0, made.stderr)
server = start_server(PORT, **SETTINGS)
users = {name: post("/auth/register", {"username": name, "password": "password1", "displayName": name.title()}) for name in ["alice", "bob", "carol"]}
boss = post("/auth/login", {"username": "boss", "password": "boss-password"})

async def as_user(token, frames):
    """Sends `frames` (type, data) in order on one socket; returns the replies."""
    async with websockets.connect(f"ws://127.0.0.1:{PORT}/ws?access_token={token}", max_size=None) as ws:
        await ws.recv()
        replies = []
        for number, (type, data) in enumerate(frames, 1):
            await ws.send(json.dumps({"id": number, "type": type, "data": data}))
            while True:
                frame = json.loads(await ws.recv())
                if frame.get("re") == number:
                    replies.append(frame)
                    break
        return replies

run = lambda token, frames: asyncio.run(as_user(token, frames))
# general has history before anyone opens the app: 70 messages from Bob
seeded = run(users["bob"]["accessToken"], [("chat.join", {"room": "general"})] + [("chat.send", {"room": "general", "text": f"m{n}"}) for n in range(1, 71)])
check("Bob seeds 70 messages in general", all(frame["ok"] for frame in seeded), [f for f in seeded if not f["ok"]][:1])

alice, carol = chromium(window="1100,800"), chromium(window="390,844")
waits = {alice: WebDriverWait(alice, 20), carol: WebDriverWait(carol, 20)}
js = lambda driver, script, *args: driver.execute_script(script, *args)
text = lambda driver, element_id: js(driver, "return document.getElementById(arguments[0])?.innerText ?? ''", element_id)
messages = lambda driver: js(driver, "return [...document.querySelectorAll('#messages li .text')].map((e) => e.textContent)")
rooms = lambda driver: js(driver, """return [...document.querySelectorAll('#room-list li')].map((li) => ({room: li.dataset.room,
    title: li.querySelector('.room-title').textContent, unread: li.querySelector('.unread').hidden ? 0 : Number(li.querySelector('.unread').textContent),
    last: li.querySelector('.last').textContent, current: li.classList.contains('current')}))""")

def sign_in(driver, name):
    driver.get(BASE + "/web")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys("password1")
    driver.find_element(By.ID, "login-button").click()
    waits[driver].until(lambda d: text(d, "status") == "connected" and text(d, "room-name") == "general" and len(messages(d)) > 0)

try:
    sign_in(alice, "alice")
    sign_in(carol, "carol")
    shown = messages(alice)
    check("a room opens on its newest page of history", len(shown) == 30 and shown[-1] == "m70" and shown[0] == "m41", shown[:3])
    # history on scroll: "Loading more…" while the older page loads, in place and in order
    js(alice, "window.__sawLoading = false; new MutationObserver(() => { if (!document.getElementById('loading-more').classList.contains('hidden')) window.__sawLoading = true; })"
              ".observe(document.getElementById('loading-more'), {attributes: true})")
    for _ in range(6):
        js(alice, "document.getElementById('messages').scrollTop = 0")
        time.sleep(0.4)
        if len(messages(alice)) == 70:
            break
    shown = messages(alice)
    check("scrolling up loads the older pages, in order, showing 'Loading more…'", shown == [f"m{n}" for n in range(1, 71)]
          and js(alice, "return window.__sawLoading"), (len(shown), shown[:3], js(alice, "return window.__sawLoading")))

    # a DM by username, titled by the other person; Carol sees it arrive in her list as unread
    alice.find_element(By.ID, "dm-input").send_keys("carol")
    alice.find_element(By.ID, "open-dm").click()
    waits[alice].until(lambda d: text(d, "room-name") == "@ Carol")
    alice.find_element(By.ID, "text").send_keys("hi <b>carol</b>")
    alice.find_element(By.ID, "send").click()
    waits[carol].until(lambda d: any(r["title"] == "@ Alice" and r["unread"] == 1 for r in rooms(d)))
    dm = next(r for r in rooms(carol) if r["title"] == "@ Alice")
    check("a DM opened by username reaches the other side's room list, unread, with its last message",
          dm["unread"] == 1 and dm["last"] == "Alice: hi <b>carol</b>" and not dm["current"], rooms(carol))
    js(carol, "document.querySelector(`#room-list li[data-room='${arguments[0]}'] button`).click()", dm["room"])
    waits[carol].until(lambda d: "hi <b>carol</b>" in messages(d))
    waits[carol].until(lambda d: next(r for r in rooms(d) if r["room"] == dm["room"])["unread"] == 0)
    check("opening the room shows the message as text and clears its unread count", not js(carol, "return document.querySelector('#messages b')"))
    waits[alice].until(lambda d: "Carol" in text(d, "present") and "Alice" in text(d, "present"))
    check("who is here names both people in the DM", text(alice, "present") in ("here: Alice, Carol", "here: Carol, Alice"), text(alice, "present"))

    carol.find_element(By.ID, "text").send_keys("typing away")
    waits[alice].until(lambda d: text(d, "typing") == "Carol is typing…")
    check("Carol typing shows on Alice's screen", True)
    carol.find_element(By.ID, "send").click()
    waits[alice].until(lambda d: "typing away" in messages(d) and text(d, "typing") == "")
    check("her message arrives and ends the typing indicator", True)

    # edit and delete one's own message; both sides see it
    js(alice, "[...document.querySelectorAll('#messages li.mine')].find((li) => li.dataset.text === arguments[0]).querySelector('.edit').click()", "hi <b>carol</b>")
    edit = alice.find_element(By.CSS_SELECTOR, "#messages li.editing .edit-input")
    edit.send_keys(Keys.END, " (edited by me)", Keys.ENTER)
    # each side renders the edit when its own frame arrives (Carol's event, Alice's reply): wait for both
    waits[carol].until(lambda d: "hi <b>carol</b> (edited by me)" in messages(d))
    waits[alice].until(lambda d: "hi <b>carol</b> (edited by me)" in messages(d))
    check("an edit is seen by both, marked edited", "hi <b>carol</b> (edited by me)" in messages(alice)
          and "(edited)" in js(carol, "return [...document.querySelectorAll('#messages li .meta')].map((e) => e.textContent).join()"))
    check("only one's own messages offer edit and delete", js(alice, "return [...document.querySelectorAll('#messages li')].every((li) => !!li.querySelector('.actions') === li.classList.contains('mine'))")
          and js(alice, "return document.querySelectorAll('#messages li .actions').length") == 1)
    js(alice, "const b = document.querySelector('#messages li.mine .delete'); b.click(); b.click();")
    waits[carol].until(lambda d: "(deleted)" in messages(d))
    check("a delete is seen by both as a tombstone", "(deleted)" in messages(alice) and "hi <b>carol</b> (edited by me)" not in messages(carol))

    # a notification from an admin: a toast coloured by its category, text not markup, and the badge
    sent = run(boss["accessToken"], [("notifications.send", {"userIds": [users["alice"]["user"]["id"]], "category": "warning",
                                                             "title": "<i>Heads up</i>", "body": "maintenance at 18:00"})])
    check("the admin's notification is accepted", sent[0]["ok"], sent)
    waits[alice].until(lambda d: js(d, "return document.querySelectorAll('#toasts .toast').length") == 1)
    toast = js(alice, "const t = document.querySelector('#toasts .toast'); return {cls: t.className, text: t.innerText, markup: !!t.querySelector('i')}")
    check("a toast shows the notification as text, coloured by category", "warning" in toast["cls"] and "<i>Heads up</i>" in toast["text"]
          and "maintenance" in toast["text"] and not toast["markup"], toast)
    waits[alice].until(lambda d: text(d, "unread") == "1")
    check("the notification badge counts it", text(alice, "unread") == "1")
    browserkit.screenshot(alice, TMP, "chat-app")
    browserkit.screenshot(carol, TMP, "chat-app-phone")
    js(alice, "document.querySelector('#toasts .toast').click()")
    check("clicking a toast dismisses it", js(alice, "return document.querySelectorAll('#toasts .toast').length") == 0)
    alice.find_element(By.ID, "bell").click()
    waits[alice].until(lambda d: text(d, "unread") == "0")
    check("the header button marks every notification read", True)
    check("the phone page fits its width", not js(carol, "return document.documentElement.scrollWidth > window.innerWidth"))

    # the server restarts: the banner counts attempts, then the app carries on where it was
    server.terminate()
    server.wait(timeout=30)
    waits[alice].until(lambda d: not js(d, "return document.getElementById('banner').classList.contains('hidden')"))
    banner = text(alice, "banner-text")
    check("while the server is away the banner shows the attempt number and Retry now", "attempt" in banner and text(alice, "retry-now") == "Retry now", banner)
    server = start_server(PORT, **SETTINGS)
    alice.find_element(By.ID, "retry-now").click()
    waits[alice].until(lambda d: text(d, "status") == "connected" and js(d, "return document.getElementById('banner').classList.contains('hidden')"))
    run(users["carol"]["accessToken"], [("chat.send", {"room": dm["room"], "text": "after the restart"})])
    waits[alice].until(lambda d: "after the restart" in messages(d))
    check("after the restart the same room continues live, nothing lost", "typing away" in messages(alice) and "(deleted)" in messages(alice))
finally:
    for driver in (alice, carol):
        driver.quit()
    server.terminate()
    server.wait(timeout=30)

finish("chat app")
