#!/usr/bin/env python3
"""Drives the betting page (GET /web/betting) in headless Chromium against the real binary.

Short phases (3 s betting, 0.5 s locked, 1.5 s settled). Checks: signing in, a deposit through
the signed webhook showing up as the balance, placing a bet from the slip (the balance drops),
a refused bet's message, the round settling with the result verified in the browser (✓) and
a toast, the balance after settlement matching the server's ledger, a reload mid-round
keeping the bet, a server restart resynchronising the page, and a second table (`?table=`)
with its own rounds and bets on the same wallet.
Usage: scripts/browser_betting_test.py [path/to/switchboard]
"""
import hashlib, hmac, json, os, signal, sys, tempfile, time, urllib.request
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port
import browserkit

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TMP = tempfile.mkdtemp(prefix="sb-betting-")
SECRET = "browser-test-webhook-secret"

def start_server():
    return browserkit.start_server(
        PORT, DATABASE_URL=f"sqlite://{TMP}/betting.sqlite", MODULES_BETTING_WEBHOOK_SECRET=SECRET,
        MODULES_BETTING_TABLES="table-1,table-2",
        MODULES_BETTING_BETTING_PHASE_MS="3000", MODULES_BETTING_LOCKED_PHASE_MS="500",
        MODULES_BETTING_SETTLED_PHASE_MS="1500", HUB_SHUTDOWN_GRACE_MS="200")

post = lambda path, body: browserkit.post(BASE, path, body)

def deposit(username, amount, payment):
    body = json.dumps({"paymentId": payment, "username": username, "amount": amount}).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(BASE + "/betting/webhooks/payment", data=body,
                                     headers={"Content-Type": "application/json", "X-Signature": signature})
    return json.loads(urllib.request.urlopen(request, timeout=20).read())

server = start_server()
driver = chromium(window="900,900")
wait = WebDriverWait(driver, 20)
text = lambda element_id: driver.find_element(By.ID, element_id).text
phase = lambda: text("phase")

try:
    post("/auth/register", {"username": "punter", "password": "password1", "displayName": "Punter"})
    driver.get(BASE + "/web/betting")
    driver.find_element(By.ID, "username").send_keys("punter")
    driver.find_element(By.ID, "password").send_keys("password1")
    driver.find_element(By.ID, "login-button").click()
    wait.until(lambda d: text("status") == "connected" and text("balance") == "0.00")
    check("signing in shows the table and an empty balance", text("balance") == "0.00", text("balance"))
    deposit("punter", "20.00", "browser-1")
    wait.until(lambda d: text("balance") == "20.00")
    check("a signed deposit shows up live as the balance", text("balance") == "20.00", text("balance"))
    driver.find_element(By.CSS_SELECTOR, "#toasts .toast").click()  # click to dismiss

    wait.until(lambda d: phase() == "betting" and int(text("countdown").split()[-2]) >= 2)
    Select(driver.find_element(By.ID, "bet-type")).select_by_value("parity")
    Select(driver.find_element(By.ID, "bet-selection")).select_by_value("even")
    amount = driver.find_element(By.ID, "bet-amount")
    amount.clear()
    amount.send_keys("5.505")
    driver.find_element(By.ID, "place").click()
    wait.until(lambda d: "two fraction digits" in text("slip-error"))
    check("a refused bet says why, and nothing is debited", text("balance") == "20.00" and "two fraction digits" in text("slip-error"), text("slip-error"))
    amount.clear()
    amount.send_keys("2.50")
    round_number = text("round-number")
    driver.find_element(By.ID, "place").click()
    wait.until(lambda d: text("balance") == "17.50")
    check("placing a bet debits the balance and lists the bet", "parity even · 2.50 · pending" in text("my-bets"), text("my-bets"))

    driver.refresh()
    wait.until(lambda d: text("status") == "connected" and "2.50" in text("my-bets"))
    check("a reload mid-round keeps the bet and the balance",
          text("round-number") != round_number or ("pending" in text("my-bets") or "won" in text("my-bets") or "lost" in text("my-bets")), text("my-bets"))

    wait.until(lambda d: phase() == "settled" and "verified" in text("fairness"))
    check("the result is verified in the browser against the commitment", text("fairness") == "✓ verified", text("fairness"))
    wait.until(lambda d: driver.find_elements(By.CSS_SELECTOR, "#toasts .toast"))
    toast = driver.find_element(By.CSS_SELECTOR, "#toasts .toast").text
    check("a toast tells the settlement", "Balance" in toast, toast)
    result = int(text("result-number"))
    expected = "22.25" if result % 2 == 0 else "17.50"  # 2.50 × 1.9 = 4.75 back on even
    wait.until(lambda d: text("balance") == expected)
    check("the balance after settlement is exact to the cent", text("balance") == expected, (result, text("balance")))
    check("the bet shows its outcome", ("won" if result % 2 == 0 else "lost") in text("my-bets"), text("my-bets"))
    wait.until(lambda d: "✓" in text("history"))
    check("recent rounds list results with their check", "#" in text("history") and "✗" not in text("history"), text("history"))
    browserkit.screenshot(driver, TMP, "betting")

    server.send_signal(signal.SIGTERM)
    server.wait(30)
    wait.until(lambda d: text("status") in ("reconnecting…", "connecting…"))
    server = start_server()
    wait.until(lambda d: text("status") == "connected" and text("balance") == expected)
    check("after a server restart the page reconnects and resynchronises", text("balance") == expected, text("balance"))
    markup = driver.execute_script("return document.querySelectorAll('#my-bets script, #history script, #toasts script').length")
    check("nothing from the server became markup", markup == 0)

    # a second table: its own rounds and bets, the same wallet
    driver.get(BASE + "/web/betting?table=table-2")
    wait.until(lambda d: text("status") == "connected" and phase() in ("betting", "locked", "settled") and text("balance") == expected)
    wait.until(lambda d: phase() == "betting" and int(text("countdown").split()[-2]) >= 2)
    check("?table=table-2 shows that table's round and the same balance", text("balance") == expected and text("my-bets") == "",
          (text("balance"), text("my-bets")))
    amount = driver.find_element(By.ID, "bet-amount")
    amount.clear()
    amount.send_keys("1.00")
    driver.find_element(By.ID, "place").click()
    wait.until(lambda d: "1.00 · pending" in text("my-bets"))
    check("a bet placed on table-2 lists there", "1.00 · pending" in text("my-bets"), text("my-bets"))
    driver.get(BASE + "/web/betting")
    wait.until(lambda d: text("status") == "connected" and text("round-number") != "—")
    check("table-1's page does not list table-2's bet", "1.00 · pending" not in text("my-bets"), text("my-bets"))
finally:
    driver.quit()
    server.terminate()

finish("betting page")
