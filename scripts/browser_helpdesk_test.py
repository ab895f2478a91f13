#!/usr/bin/env python3
"""Drives the helpdesk (GET /web/helpdesk) in two headless Chromium browsers against the real
binary: a requester on a phone-sized screen and an agent on a desktop.

The requester files an urgent ticket; it appears live in the agent's queue, highlighted; its
SLA badge counts down and turns amber when the SLA monitor warns and red when it breaches
(short SLA settings for the test). The agent assigns it, writes an internal note (marked as
internal, never shown to the requester) and a public reply (shown live to the requester),
solves it; the requester reopens it and it comes back to the queue. Markup in the subject
and the reply is shown as text. Usage: scripts/browser_helpdesk_test.py [path/to/switchboard]
"""
import os, sys, tempfile, time
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port, start_server
import browserkit

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TMP = tempfile.mkdtemp(prefix="sb-helpdesk-")
DB = f"sqlite://{TMP}/helpdesk.sqlite"
made = browserkit.create_user(DB, "agent1", "agent", "agent-password")
check("an agent account from the CLI", made.returncode == 0, made.stderr)
# urgent: first response due 8 s after filing, warned at 50 % (4 s), checked every 200 ms
server = start_server(PORT, DATABASE_URL=DB, MODULES_TICKETS_SLA_URGENT_FIRST_RESPONSE_SECONDS="8",
                      MODULES_TICKETS_SLA_WARNING_PERCENT="50", MODULES_TICKETS_SLA_CHECK_INTERVAL_MS="200")
browserkit.post(BASE, "/auth/register", {"username": "rita", "password": "password1", "displayName": "Rita"})

agent, requester = chromium(window="1200,900"), chromium(window="390,844")
waits = {agent: WebDriverWait(agent, 20), requester: WebDriverWait(requester, 20)}
js = lambda driver, script, *args: driver.execute_script(script, *args)
text = lambda driver, element_id: js(driver, "return document.getElementById(arguments[0])?.innerText ?? ''", element_id)
queue = lambda driver: js(driver, """return [...document.querySelectorAll('#tickets li')].map((li) => ({id: li.dataset.id,
    subject: li.querySelector('.subject').textContent, status: li.querySelector('.status').textContent,
    sla: li.querySelector('.sla').className, slaText: li.querySelector('.sla').textContent, flash: li.classList.contains('flash')}))""")
thread = lambda driver: js(driver, """return [...document.querySelectorAll('#thread li')].map((li) => ({who: li.querySelector('.who strong').textContent,
    body: li.querySelector('.body').textContent, internal: li.classList.contains('internal'), tag: li.querySelector('.internal-tag')?.textContent ?? ''}))""")
SUBJECT = "VPN <b>down</b> & \"broken\""

def sign_in(driver, username, password):
    driver.get(BASE + "/web/helpdesk")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    waits[driver].until(lambda d: text(d, "status") == "connected" and text(d, "list-title") != "")

try:
    sign_in(agent, "agent1", "agent-password")
    sign_in(requester, "rita", "password1")
    check("the agent sees the queue, the requester their own tickets", text(agent, "list-title") == "Queue" and text(requester, "list-title") == "My tickets"
          and js(agent, "return document.getElementById('new-ticket').classList.contains('hidden')")
          and not js(requester, "return document.getElementById('new-ticket').classList.contains('hidden')"))
    requester.find_element(By.ID, "new-subject").send_keys(SUBJECT)
    requester.find_element(By.ID, "new-description").send_keys("since this morning\nnothing connects")
    js(requester, "document.getElementById('new-priority').value = 'urgent'")
    requester.find_element(By.ID, "file-ticket").click()
    filed_at = time.time()
    waits[requester].until(lambda d: text(d, "ticket-subject") == SUBJECT)
    check("the requester files a ticket and sees it, markup as text", text(requester, "ticket-status") == "new"
          and not js(requester, "return document.querySelector('#ticket b, #tickets b')"))
    waits[agent].until(lambda d: any(t["subject"] == SUBJECT for t in queue(d)))
    row = next(t for t in queue(agent) if t["subject"] == SUBJECT)
    check("it appears live in the agent's queue, highlighted, with a running SLA badge",
          row["flash"] and "ok" in row["sla"] and "response due in" in row["slaText"], row)
    waits[agent].until(lambda d: "warned" in next(t for t in queue(d) if t["subject"] == SUBJECT)["sla"])
    warned_after = time.time() - filed_at
    check("the badge turns amber when the SLA monitor warns (50 % of 8 s)", 3.0 <= warned_after < 8.5, warned_after)
    waits[agent].until(lambda d: "breached" in next(t for t in queue(d) if t["subject"] == SUBJECT)["sla"])
    row = next(t for t in queue(agent) if t["subject"] == SUBJECT)
    check("and red once breached, counting the time overdue", "overdue" in row["slaText"] and time.time() - filed_at >= 7.5, row)

    js(agent, "document.querySelector(`#tickets li[data-id='${arguments[0]}'] button`).click()", row["id"])
    waits[agent].until(lambda d: text(d, "ticket-subject") == SUBJECT)
    agent.find_element(By.ID, "assign-me").click()
    waits[agent].until(lambda d: text(d, "ticket-assignee") == "assigned to you")
    check("the agent assigns the ticket to themself", True)
    agent.find_element(By.ID, "reply-body").send_keys("customer on VPN gateway 2, check the <i>logs</i>")
    agent.find_element(By.ID, "internal").click()
    agent.find_element(By.ID, "send-reply").click()
    waits[agent].until(lambda d: any(c["internal"] for c in thread(d)))
    note = next(c for c in thread(agent) if c["internal"])
    check("an internal note is visibly marked as internal on the agent's screen", note["tag"] == "Internal note"
          and note["body"] == "customer on VPN gateway 2, check the <i>logs</i>", note)
    agent.find_element(By.ID, "reply-body").send_keys("We are on it: <script>x</script> restart your client")
    agent.find_element(By.ID, "send-reply").click()
    waits[requester].until(lambda d: any("We are on it" in c["body"] for c in thread(d)))
    seen = thread(requester)
    check("the public reply reaches the requester live, as text", any(c["who"] == "Support" and c["body"] == "We are on it: <script>x</script> restart your client"
          for c in seen) and not js(requester, "return document.querySelector('#thread script')"), seen)
    check("the requester never sees the internal note", not any("gateway" in c["body"] or c["internal"] for c in seen), seen)
    waits[requester].until(lambda d: text(d, "ticket-status") == "open")
    check("the first public reply opened the ticket on both screens", text(agent, "ticket-status") == "open")

    js(agent, "document.querySelector('#transitions button[data-status=solved]').click()")
    waits[requester].until(lambda d: text(d, "ticket-status") == "solved" and d.find_element(By.ID, "reopen").is_displayed())
    check("solved by the agent: the requester sees it and may reopen", True)
    waits[agent].until(lambda d: not any(t["id"] == row["id"] for t in queue(d)))
    check("a solved ticket leaves the active queue", True)
    browserkit.screenshot(requester, TMP, "helpdesk-requester")
    requester.find_element(By.ID, "reopen").click()
    waits[agent].until(lambda d: any(t["id"] == row["id"] and t["status"] == "open" for t in queue(d)))
    check("reopened by the requester, it is back in the agent's queue", True)
    browserkit.screenshot(agent, TMP, "helpdesk-agent")
    check("the requester's page fits a phone's width", not js(requester, "return document.documentElement.scrollWidth > window.innerWidth"))
    requester.refresh()
    waits[requester].until(lambda d: text(d, "status") == "connected" and any(SUBJECT == t["subject"] for t in queue(d)))
    check("a reload keeps the requester signed in with their tickets", True)
finally:
    for driver in (agent, requester):
        driver.quit()
    server.terminate()
    server.wait(timeout=30)

finish("helpdesk")
