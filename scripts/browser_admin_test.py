#!/usr/bin/env python3
"""Drives the admin console (GET /web/admin) in headless Chromium against the real binary,
next to a user of the chat app in a second browser.

Checks: a non-admin is turned away; the console lists the node with the jobs it leads and
the modules with their flags, counts
the user's connection and the topic they are on, shows the command rates from /metrics as the
user chats; switching chat off in the console reaches the user's page at once (a notice, the
composer disabled) and switching it on brings chat back; a role set from the console is listed
with the staff. Usage: scripts/browser_admin_test.py [path/to/switchboard]
"""
import os, sys, tempfile, time
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browserkit import check, chromium, finish, free_port, start_server
import browserkit

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
TMP = tempfile.mkdtemp(prefix="sb-admin-")
DB = f"sqlite://{TMP}/admin.sqlite"
made = browserkit.create_user(DB, "root", "admin", "root-password")
check("an admin account from the CLI", made.returncode == 0, made.stderr)
server = start_server(PORT, DATABASE_URL=DB, RATE_LIMIT_CHAT_SEND="off")
browserkit.post(BASE, "/auth/register", {"username": "ulla", "password": "password1", "displayName": "Ulla"})

console, user = chromium(window="1200,1000"), chromium(window="900,700")
waits = {console: WebDriverWait(console, 20), user: WebDriverWait(user, 20)}
js = lambda driver, script, *args: driver.execute_script(script, *args)
text = lambda driver, element_id: js(driver, "return document.getElementById(arguments[0])?.innerText ?? ''", element_id)
table = lambda driver, body: js(driver, "return [...document.querySelectorAll(`#${arguments[0]} tr`)].map((tr) => [...tr.children].map((td) => td.innerText))", body)
messages = lambda driver: js(driver, "return [...document.querySelectorAll('#messages li .text')].map((e) => e.textContent)")

def sign_in(driver, path, username, password):
    driver.get(BASE + path)
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login-button").click()

try:
    sign_in(console, "/web/admin", "ulla", "password1")
    waits[console].until(lambda d: "admins" in text(d, "error"))
    check("a non-admin is turned away with a clear message", not console.find_element(By.ID, "console").is_displayed(), text(console, "error"))
    console.execute_script("sessionStorage.clear()")
    sign_in(console, "/web/admin", "root", "root-password")
    waits[console].until(lambda d: text(d, "status") == "live")
    nodes = table(console, "nodes")
    check("the cluster card lists this node, marked, with the singleton jobs it runs",
          len(nodes) == 1 and nodes[0][0].endswith("(this one)") and "betting.clock" in nodes[0][4] and "tickets.sla" in nodes[0][4], nodes)
    modules = {row[0]: row for row in table(console, "modules")}
    check("the console lists every module with its flag", {"chat", "presence", "notifications", "tickets", "betting", "chsh", "web"} <= set(modules)
          and js(console, "return document.querySelector('#modules input[data-module=chat]').checked"), modules)

    sign_in(user, "/web", "ulla", "password1")
    waits[user].until(lambda d: text(d, "status") == "connected" and text(d, "room-name") == "general")
    waits[console].until(lambda d: text(d, "connections") == "1" and any(row[0] == "chat:general" and row[1] == "1" for row in table(d, "topics")))
    check("the user's connection and topic appear in the console", text(console, "users") == "1" and "1 user" in text(console, "roles"), text(console, "roles"))
    for n in range(5):
        user.find_element(By.ID, "text").send_keys(f"hello {n}")
        user.find_element(By.ID, "send").click()
        waits[user].until(lambda d: f"hello {n}" in messages(d))
    waits[console].until(lambda d: any(row[0] == "chat.send" and row[3] == "5" for row in table(d, "commands")))
    time.sleep(3.5)  # one more poll, so the rate window covers the sends
    sends = next(row for row in table(console, "commands") if row[0] == "chat.send")
    check("the command table counts the user's sends from /metrics", sends[3] == "5" and sends[4] == "0", sends)

    js(console, "document.querySelector('#modules input[data-module=chat]').click()")
    waits[user].until(lambda d: d.find_element(By.ID, "off").is_displayed())
    check("switching chat off reaches the user at once: a notice, the composer disabled",
          not user.find_element(By.ID, "send").is_enabled() and not user.find_element(By.ID, "text").is_enabled(), text(user, "off"))
    waits[console].until(lambda d: js(d, "return document.querySelector('#modules tr[data-module=chat]').className") == "off")
    browserkit.screenshot(console, TMP, "admin-console")
    js(console, "document.querySelector('#modules input[data-module=chat]').click()")
    waits[user].until(lambda d: not d.find_element(By.ID, "off").is_displayed() and d.find_element(By.ID, "send").is_enabled())
    user.find_element(By.ID, "text").send_keys("back again")
    user.find_element(By.ID, "send").click()
    waits[user].until(lambda d: "back again" in messages(d))
    check("switching it on again brings chat back", True)

    console.find_element(By.ID, "role-username").send_keys("ulla")
    js(console, "document.getElementById('role-role').value = 'agent'")
    console.find_element(By.ID, "set-role").click()
    waits[console].until(lambda d: any(row[0] == "ulla" for row in table(d, "staff")))
    check("a role set in the console is listed with the staff", js(console, "return document.querySelector('#staff tr[data-username=ulla] select').value") == "agent")
    check("the admin is listed too", any(row[0] == "root" for row in table(console, "staff")))
    console.set_window_size(390, 844)
    check("the console fits a phone's width", not js(console, "return document.documentElement.scrollWidth > window.innerWidth"))
finally:
    for driver in (console, user):
        driver.quit()
    server.terminate()
    server.wait(timeout=30)

finish("admin console")
