"""What the scripts that drive real `switchboard` processes share (smoke.py, cluster_test.py,
browserkit.py): a free port and a JSON HTTP call that returns the status and the body, errors included."""
import json, socket, urllib.error, urllib.request

def free_port():
    """A port nobody listens on now, so two runs on one host (CI jobs, a developer's tests) never collide."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

def http(method, port, path, body=None, token=None):
    """`method path` on 127.0.0.1:`port` with a JSON body and an optional bearer token → (status, JSON body)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

def launch(binary, port, env, extra=(), expect=None, within=60, log=None):
    """Starts `binary serve --port port` and waits, at most `within` seconds, for the line
    `expect` (default: the `listening on` line). A thread reads the server's output for as long
    as it runs, so a chatty server never blocks on a full pipe and a silent one never blocks
    the caller; every line also goes to the list `log` when given.
    Returns (process, the lines seen while waiting, whether `expect` was seen); the caller
    decides what a server that did not start means (it may be the point of the test)."""
    import queue, subprocess, threading, time
    process = subprocess.Popen([binary, "serve", "--port", str(port), *extra], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    def pump():
        for line in process.stdout:
            if log is not None:
                log.append(line)
            lines.put(line)
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()
    expect = expect or f"listening on http://127.0.0.1:{port}"
    seen, deadline = [], time.time() + within
    while time.time() < deadline:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.time()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if expect in line:
            return process, seen, True
    return process, seen, False
