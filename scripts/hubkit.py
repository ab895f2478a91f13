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
