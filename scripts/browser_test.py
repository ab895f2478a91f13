#!/usr/bin/env python3
"""Drives the web client (GET /web) in headless Chromium against the real binary.

Checks: signing in from the page, live messages from another client, that a hostile message
(<script>, <img onerror>) is shown as text and never runs, sending from the page, and that a
reload keeps the session and the history. Needs Debian's chromium and chromium-driver, and
`selenium` from PyPI. Usage: scripts/browser_test.py [path/to/switchboard]
"""
import asyncio, json, os, sys, tempfile, time, urllib.request
import websockets
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port, start_server
import browserkit

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TMP = tempfile.mkdtemp(prefix="sb-browser-")
post = lambda path, body: browserkit.post(BASE, path, body)

server = start_server(PORT, DATABASE_URL=f"sqlite://{TMP}/browser.sqlite")
driver = chromium()
wait = WebDriverWait(driver, 15)
HOSTILE = "<img src=x onerror=\"window.__pwned='img'\"><script>window.__pwned='script'</script> & \"quotes\" 😀"

def texts():
    return [el.text for el in driver.find_elements(By.CSS_SELECTOR, "#messages li .text")]

async def bob_session():
    bob = post("/auth/register", {"username": "bob", "password": "password1", "displayName": "Bob"})
    async with websockets.connect(f"ws://127.0.0.1:{PORT}/ws?access_token={bob['accessToken']}") as ws:
        async def reply(frame):
            await ws.send(json.dumps(frame))
            while True:
                answer = json.loads(await ws.recv())
                if answer.get("re") == frame["id"]:
                    return answer
        await reply({"id": 1, "type": "chat.join", "data": {"room": "general"}})
        await reply({"id": 2, "type": "chat.send", "data": {"room": "general", "text": HOSTILE}})
        wait.until(lambda d: HOSTILE in texts())
        check("a message from another client appears live, shown exactly as sent", HOSTILE in texts(), texts())
        authors = [el.text for el in driver.find_elements(By.CSS_SELECTOR, "#messages li .author")]
        check("messages show their author's name", "Bob" in authors, authors)
        check("the hostile markup did not run", driver.execute_script("return window.__pwned === undefined"),
              driver.execute_script("return window.__pwned"))
        check("no element was created from the message", not driver.find_elements(By.CSS_SELECTOR, "#messages img, #messages script"))
        driver.find_element(By.ID, "text").send_keys("hello from the browser")
        driver.find_element(By.ID, "send").click()
        deadline = time.time() + 10
        received = None
        while time.time() < deadline and received is None:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if frame.get("type") == "chat.message" and frame["data"]["message"]["text"] == "hello from the browser":
                received = frame
        check("a message sent from the page reaches the other client", received is not None)

try:
    driver.get(BASE + "/web")
    headers = urllib.request.urlopen(BASE + "/web").headers
    check("the page is served with a Content-Security-Policy", "script-src 'self'" in headers.get("Content-Security-Policy", ""), headers)
    post("/auth/register", {"username": "alice", "password": "password1", "displayName": "Alice"})
    driver.find_element(By.ID, "username").send_keys("alice")
    driver.find_element(By.ID, "password").send_keys("password1")
    driver.find_element(By.ID, "login-button").click()
    wait.until(lambda d: d.find_element(By.ID, "status").text == "connected")
    check("signing in connects the page", driver.find_element(By.ID, "status").text == "connected")
    wait.until(lambda d: d.find_element(By.ID, "room-name").text == "general")
    # Chromium offers permessage-deflate and then compresses what it sends: the hub's answer
    # (always with client_no_context_takeover) must be one Chromium accepts, and its
    # compressed commands must be read.
    guest = post("/auth/guest", {"displayName": "deflate"})["accessToken"]
    driver.set_script_timeout(15)
    probe = driver.execute_async_script("""
        const [token, done] = arguments;
        const ws = new WebSocket(`ws://${location.host}/ws?access_token=${token}`);
        const id = "compressed";
        ws.onmessage = (event) => {
          const frame = JSON.parse(event.data);
          if (frame.type === "hub.welcome") ws.send(JSON.stringify({id, type: "hub.ping", data: {pad: "z".repeat(400)}}));
          if (frame.re === id) { done({extensions: ws.extensions, ok: frame.ok}); ws.close(); }
        };
        ws.onclose = (event) => done({closed: event.code});
    """, guest)
    check("Chromium negotiates permessage-deflate, and its compressed commands are answered",
          probe.get("ok") is True and probe.get("extensions", "").startswith("permessage-deflate")
          and "client_no_context_takeover" in probe.get("extensions", ""), probe)
    asyncio.run(bob_session())
    driver.refresh()
    wait.until(lambda d: "hello from the browser" in texts())
    check("a reload keeps the session and the history", HOSTILE in texts() and "hello from the browser" in texts(), texts())
    check("still nothing ran after the reload", driver.execute_script("return window.__pwned === undefined"))
    driver.save_screenshot(os.path.join(TMP, "chat.png"))
    print(f"screenshot: {TMP}/chat.png")
finally:
    driver.quit()
    server.terminate()
    server.wait(timeout=30)

finish("browser")
