#!/usr/bin/env python3
"""Credits a betting wallet the way a payment provider would: a signed webhook call.

    MODULES_BETTING_WEBHOOK_SECRET=… python3 examples/clients/deposit.py USERNAME AMOUNT [PAYMENT_ID] [http://127.0.0.1:8080]

The body is signed with HMAC-SHA256 under the same secret the server has
(`X-Signature: sha256=<hex>`, docs/modules/betting.md). Sending the same PAYMENT_ID twice
credits once. Only the standard library is used.
"""
import hashlib, hmac, json, os, sys, urllib.error, urllib.request, uuid

if len(sys.argv) < 3:
    sys.exit(__doc__)
username, amount = sys.argv[1], sys.argv[2]
payment = sys.argv[3] if len(sys.argv) > 3 else f"demo-{uuid.uuid4()}"
base = sys.argv[4] if len(sys.argv) > 4 else "http://127.0.0.1:8080"
secret = os.environ.get("MODULES_BETTING_WEBHOOK_SECRET")
if not secret:
    sys.exit("set MODULES_BETTING_WEBHOOK_SECRET to the server's webhook secret")

body = json.dumps({"paymentId": payment, "username": username, "amount": amount}).encode()
signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
request = urllib.request.Request(base + "/betting/webhooks/payment", data=body,
                                 headers={"Content-Type": "application/json", "X-Signature": signature})
try:
    with urllib.request.urlopen(request) as response:
        print(response.status, response.read().decode())
except urllib.error.HTTPError as error:
    print(error.code, error.read().decode())
    sys.exit(1)
