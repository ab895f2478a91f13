#!/usr/bin/env python3
"""Drives the CHSH pages in headless Chromium against the real binary: the host's dashboard
(GET /web/chsh/host) and the player's page (GET /web/chsh), in three browsers.

A host signs in on the dashboard, creates a game and starts it; two players, each in their
own phone-sized browser, join with the code and a name, create and join a team, and play
20 rounds with the big True/False buttons while the dashboard updates live. Checks: joining, a duplicate team name refused with
the server's message, each player seeing only their own item (slot 1 A/B, slot 2 X/Y), the
round outcome shown to both, pause disabling the buttons, a reload mid-round resuming the
same team and question, the host's statistics counting the rounds played in the browsers,
and hostile names shown as text. The join link's QR code, read back from the drawn SVG by an
independent decoder (scripts/qr_check.py), is the link; so are codes of every version 1-10.
Usage: scripts/browser_chsh_test.py [path/to/switchboard]
"""
import asyncio, json, os, sys, tempfile, time
import websockets
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port
import browserkit
from qr_check import decode as decode_qr

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TMP = tempfile.mkdtemp(prefix="sb-chsh-")
ENV = dict(os.environ, DATABASE_URL=f"sqlite://{TMP}/chsh.sqlite", AUTH_BCRYPT_COST="4")

made = browserkit.create_user(ENV["DATABASE_URL"], "teacher", "host", "teacher-password")
check("a host account from the CLI", made.returncode == 0, made.stderr)
server = browserkit.start_server(PORT, DATABASE_URL=ENV["DATABASE_URL"])
host_token = browserkit.post(BASE, "/auth/login", {"username": "teacher", "password": "teacher-password"})["accessToken"]

async def host(type, data):
    async with websockets.connect(f"ws://127.0.0.1:{PORT}/ws?access_token={host_token}") as ws:
        await ws.recv()  # hub.welcome
        await ws.send(json.dumps({"id": 1, "type": type, "data": data}))
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("re") == 1:
                return frame

command = lambda type, data: asyncio.run(host(type, data))
dashboard = chromium(window="1200,900")
board_wait = WebDriverWait(dashboard, 20)
players = [chromium(window="390,844"), chromium(window="390,844")]
waits = [WebDriverWait(driver, 20) for driver in players]
# read in one script call: the pages redraw their lists on every event, so a found element can go stale
text = lambda driver, element_id: driver.execute_script("return document.getElementById(arguments[0]).innerText", element_id)
click = lambda driver, element_id: driver.find_element(By.ID, element_id).click()

def fmt(estimate):
    """The dashboard's `value ± stderr`, from the server's numbers."""
    return f"{estimate['value']:.2f} ± {'?' if estimate['stderr'] is None else format(estimate['stderr'], '.2f')}"

try:
    dashboard.get(f"{BASE}/web/chsh/host")
    dashboard.find_element(By.ID, "username").send_keys("teacher")
    dashboard.find_element(By.ID, "password").send_keys("teacher-password")
    click(dashboard, "login-button")
    board_wait.until(lambda d: text(d, "status") == "connected")
    click(dashboard, "create-game")
    board_wait.until(lambda d: len(text(d, "join-code")) == 6)
    games = command("chsh.games", {})["data"]["items"]
    game = games[0]
    check("the host creates a game on the dashboard and sees its join code", text(dashboard, "join-code") == game["joinCode"]
          and game["state"] == "lobby", (text(dashboard, "join-code"), games))
    drawn = dashboard.execute_script("""
        const svg = document.querySelector('#join-qr svg');
        const size = svg.viewBox.baseVal.width - 8;
        const rows = Array.from({length: size}, () => new Array(size).fill(false));
        for (const [, c, r] of svg.querySelector('path').getAttribute('d').matchAll(/M(\\d+) (\\d+)/g)) rows[r - 4][c - 4] = true;
        return rows;""")
    link = f"{BASE}/web/chsh?code={game['joinCode']}"
    try:
        scanned = decode_qr(drawn)
    except ValueError as error:
        scanned = f"unreadable: {error}"
    check("the join link is drawn as a QR code that decodes to the link", scanned == link and text(dashboard, "join-link") == link,
          (scanned, link))
    samples = ["x" * n for n in (1, 20, 40, 60, 80, 100, 120, 150, 175, 213)] + ["héllo wörld ✓ " * 5]
    matrices = dashboard.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/web/qrcode.js').then(({qrMatrix}) => done(arguments[0].map((t) => qrMatrix(t))));""", samples)
    decoded = []
    for matrix in matrices:
        try:
            decoded.append(decode_qr(matrix))
        except ValueError as error:
            decoded.append(f"unreadable: {error}")
    check("QR codes of versions 1-10 (up to 213 bytes, UTF-8) decode to their text", decoded == samples
          and sorted({(len(m) - 17) // 4 for m in matrices}) == list(range(1, 11)), [d[:30] for d in decoded])
    for driver, wait, name in zip(players, waits, ["Ada", "<b>Bob</b>"]):
        driver.get(f"{BASE}/web/chsh?code={game['joinCode'].lower()}")
        driver.find_element(By.ID, "player-name").send_keys(name)
        click(driver, "join-button")
        wait.until(lambda d: not d.find_element(By.ID, "teams").get_attribute("class").count("hidden"))
    check("both players joined with the code and see the team picker", True)
    ada, bob = players
    ada.find_element(By.ID, "team-name").send_keys("  Photons ")
    click(ada, "create-team")
    waits[0].until(lambda d: text(d, "team") == "Photons")
    bob.find_element(By.ID, "team-name").send_keys("PHOTONS")
    click(bob, "create-team")
    waits[1].until(lambda d: "already playing" in text(d, "team-error"))
    check("a duplicate name in another case is refused with the server's message", "already playing" in text(bob, "team-error"), text(bob, "team-error"))
    waits[1].until(lambda d: d.find_elements(By.CSS_SELECTOR, "#team-list button[data-team='Photons']"))
    bob.find_element(By.CSS_SELECTOR, "#team-list button[data-team='Photons']").click()
    waits[1].until(lambda d: text(d, "team") == "Photons" and "player 2" in text(d, "slot"))
    waits[0].until(lambda d: "here" in text(d, "mate"))
    check("the teammate's presence shows", "Teammate: <b>Bob</b> · here" in text(ada, "mate"), text(ada, "mate"))

    board_wait.until(lambda d: "Photons" in text(d, "team-rows") and "2 of 2 players here" in text(d, "players"))
    check("the dashboard lists the team and who is here", True)
    click(dashboard, "start")
    board_wait.until(lambda d: text(d, "game-state") == "running")
    seen = []
    for number in range(1, 21):
        for driver, wait in zip(players, waits):
            wait.until(lambda d: text(d, "round-number") == f"round {number}" and d.find_element(By.ID, "answer-true").is_enabled())
        items = (text(ada, "item"), text(bob, "item"))
        seen.append(items)
        click(ada, "answer-true")
        waits[0].until(lambda d: "Waiting for your teammate" in text(d, "play-note"))
        if number == 3:  # Bob reloads mid-round: same team, same question
            bob.refresh()
            waits[1].until(lambda d: text(d, "team") == "Photons" and text(d, "round-number") == "round 3")
            check("a reload mid-round resumes the same team and question", text(bob, "item") == items[1], (text(bob, "item"), items))
            waits[1].until(lambda d: d.find_element(By.ID, "answer-false").is_enabled())
        click(bob, "answer-false")
        waits[0].until(lambda d: text(d, "last-round").startswith(f"Round {number}:"))
    check("player 1 gets only A or B, player 2 only X or Y", all(a in "AB" and b in "XY" for a, b in seen), seen)
    expected_won = seen[-1] == ("B", "Y")
    check("both see the round's outcome", text(ada, "last-round") == text(bob, "last-round")
          and ("won ✓" if expected_won else "lost ✗") in text(ada, "last-round"), (text(ada, "last-round"), seen[-1]))

    click(dashboard, "pause")
    waits[0].until(lambda d: "Paused" in text(d, "game-state"))
    check("pausing disables the answer buttons", not ada.find_element(By.ID, "answer-true").is_enabled())
    browserkit.screenshot(ada, TMP, "chsh-player")
    click(dashboard, "resume")
    waits[0].until(lambda d: d.find_element(By.ID, "answer-true").is_enabled())
    check("resuming enables them again", True)

    stats = command("chsh.stats", {"gameId": game["id"]})["data"]
    team = stats["teams"][0]
    wins = sum(1 for a, b in seen if (a, b) == ("B", "Y"))  # True/False differ: a win only on B,Y
    check("the host's statistics count the rounds played in the browsers", team["rounds"] == 20
          and abs(team["winRate"]["value"] - wins / 20) < 1e-9 and team["eligible"], team)
    cells = lambda d: d.execute_script("return [...document.querySelectorAll(arguments[0])].map((c) => c.textContent)",
                                       f"#team-rows tr[data-team='{team['teamId']}'] td")
    expected = [fmt(team["correlations"][k]) if k in team["correlations"] else "—" for k in ("AX", "AY", "BX", "BY")]
    expected.append(fmt(team["chsh"]) if team["chsh"]["value"] is not None else "—")
    try:
        board_wait.until(lambda d: cells(d)[2:8] == ["20"] + expected)
    except Exception:
        pass
    shown = cells(dashboard)
    check("the dashboard shows the values the server computed", shown[2:8] == ["20"] + expected, (shown, expected))
    check("past the balanced block the team leads the board", text(dashboard, "leaderboard").startswith("🏆 Photons"), text(dashboard, "leaderboard"))
    board_wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart line.bound-quantum"))
    check("the chart draws the classical and quantum bounds", len(dashboard.find_elements(By.CSS_SELECTOR, "#chart line.bound-classical")) == 2)
    browserkit.screenshot(dashboard, TMP, "chsh-host")
    dashboard.refresh()
    board_wait.until(lambda d: text(d, "join-code") == game["joinCode"] and "Photons" in text(d, "team-rows"))
    check("a reload of the dashboard reopens the same game", True)
    markup = sum(d.execute_script("return document.querySelectorAll('#mate b, #team-list b, #toasts b, #team-rows b').length") for d in players + [dashboard])
    check("a name with markup is shown as text", markup == 0 and "<b>Bob</b>" in text(ada, "mate"))
    overflow = ada.execute_script("return document.documentElement.scrollWidth > window.innerWidth")
    check("the page fits a phone's width", not overflow)
finally:
    for driver in players + [dashboard]:
        driver.quit()
    server.terminate()

finish("chsh pages")
