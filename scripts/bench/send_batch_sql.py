#!/usr/bin/env python3
"""scripts/bench/send_batch_sql.py REV SENDS ROOMS — chat.send's batch statement on PostgreSQL
(`SendBatchStatement`, Plugins/Chat/Store/SendBatch.swift) as written at git revision REV, as a
pgbench script: SENDS sends over ROOMS rooms picked at random among r0…r99 (member u<n> of room
r<n>), every event numbered as in cluster mode. The statement's parameters become literals and
pgbench variables; everything else is the Swift source's SQL. Used by pg-send-batch.sh."""
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

rev, sends, rooms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def show(path):
    return subprocess.run(["git", "-C", ROOT, "show", f"{rev}:{path}"], check=True, capture_output=True, text=True).stdout


def swift_string(text):
    """The text of a Swift multi-line string literal, for the escapes the SQL uses."""
    return text.replace("\\\\", "\\")


event_source = show("Sources/HubKernel/Events/StatementEvent.swift")
columns = re.search(r'public static let columns = "([^"]+)"', event_source).group(1)
types = re.findall(r'"([a-z]+\[\])"', re.search(r"public static let arrayTypes = (.*)", event_source).group(1))
statement = re.search(r'static let sql = """\n(.*?)\n        """', show("Plugins/Chat/Store/SendBatch.swift"), re.S).group(1)
statement = statement.replace("\\(StatementEvent.columns)", columns)
statement = statement.replace("\\(eventParameters)", ", ".join(f"${n + 7}::{t}" for n, t in enumerate(types)))


def expand(match):
    """The SQL at REV of an interpolated call of a StatementEvent function."""
    function, number, source = match.group(1), match.group(2), match.group(3)
    body = re.search(r"public static func " + function + r"\(.*?\) -> String \{\n\s*\"\"\"\n(.*?)\n\s*\"\"\"", event_source, re.S).group(1)
    body = body.replace("\\(number)", number)
    if source:
        body = body.replace("\\(source)", source)
    return swift_string(body)


statement = re.sub(r'\\\(StatementEvent\.(publishingEach|publishingEvery)\(number: "(\w+)"(?:, from: "(\w+)")?\)\)', expand, statement)
assert "\\(" not in statement, statement


def array(items, sql_type):
    return "ARRAY[" + ",".join(items) + f"]::{sql_type}"


def per_send(item):
    return [item(n % rooms) for n in range(sends)]


# pgbench reads :name as a variable, so the literals avoid colons
values = {
    1: array(per_send(lambda k: f"'r' || :k{k}"), "text[]"),
    2: array(per_send(lambda k: f"'u' || :k{k}"), "text[]"),
    3: f"ARRAY(SELECT gen_random_uuid()::text FROM generate_series(1, {sends}))",
    4: array(["'hello there'"] * sends, "text[]"),
    5: array(["''"] * sends, "text[]"),
    6: array(["1796182072453"] * sends, "bigint[]"),
    7: array(["true"] * sends, "boolean[]"),
    8: array(["'sb_bench'"] * sends, "text[]"),
    9: array(["'e'"] * sends, "text[]"),
    10: array(["true"] * sends, "boolean[]"),
    11: array(per_send(lambda k: f"'chat.r' || :k{k}"), "text[]"),
    12: array(["'chat.message'"] * sends, "text[]"),
    13: array(["'{\"message\"={\"text\"=\"hello there\",\"seq\"='"] * sends, "text[]"),
    14: array(["'}}'"] * sends, "text[]"),
    15: array(["1796182072453"] * sends, "bigint[]"),
    16: array(["100"] * sends, "bigint[]"),
}
for n in range(16, 0, -1):
    statement = re.sub(r"\$" + str(n) + r"(::[a-z]+\[\])?(?!\d)", lambda _: values[n], statement)
print("".join(f"\\set k{k} random(0, 99)\n" for k in range(rooms)) + " ".join(line.strip() for line in statement.split("\n")) + ";")
