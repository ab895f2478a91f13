"""What the headless-Chromium tests share: a free port, PASS/FAIL checks, starting the real
binary and waiting until it listens, JSON POSTs, and a Chromium driver from Debian's packages."""
import json, os, queue, socket, subprocess, sys, threading, time, urllib.request
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from hubkit import free_port, launch

BIN = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/switchboard"
results = []

def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition else f"  -- {detail}"), flush=True)

def finish(label):
    """Prints the tally and exits non-zero when anything failed."""
    failed = results.count(False)
    print(f"{label}: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)

def start_server(port, **settings):
    """Starts `switchboard serve` on `port` with `settings` as extra environment; returns once it listens."""
    process, _, started = launch(BIN, port, dict(os.environ, AUTH_BCRYPT_COST="4", **settings))
    if not started:
        process.kill()
        raise SystemExit("the server did not start within 60 s")
    return process

def create_user(database_url, username, role, password):
    """Makes an account with `role` through the CLI (`switchboard user create`), as an operator
    would, before the server starts on `database_url`; returns the finished process."""
    env = dict(os.environ, DATABASE_URL=database_url, AUTH_BCRYPT_COST="4")
    return subprocess.run([BIN, "user", "create", username, "--role", role], env=env, input=password + "\n",
                          capture_output=True, text=True, timeout=120)

def post(base, path, body, headers=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", **(headers or {})})
    return json.loads(urllib.request.urlopen(request, timeout=20).read())

def screenshot(driver, directory, name):
    """Saves `name`.png in `directory`, and in $SCREENSHOT_DIR too when it is set
    (scripts/web_screenshots.sh sets it to docs/web to refresh the pictures in docs/web.md)."""
    paths = [os.path.join(directory, f"{name}.png")]
    if os.environ.get("SCREENSHOT_DIR"):
        os.makedirs(os.environ["SCREENSHOT_DIR"], exist_ok=True)
        paths.append(os.path.join(os.environ["SCREENSHOT_DIR"], f"{name}.png"))
    for path in paths:
        driver.save_screenshot(path)
    print("screenshot: " + " ".join(paths), flush=True)

def chromium(window="1100,800"):
    options = Options()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={window}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
