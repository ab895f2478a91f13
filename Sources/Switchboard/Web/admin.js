// The admin console: the modules with their runtime flags (a click switches one), this node's
// connections, users and busiest topics, command and error rates from /metrics, and the staff
// accounts with their roles. Plain HTTP on the admin routes of docs/protocol.md, polled every
// few seconds; the token is refreshed when it expires.
import { Session, signInForm } from "/web/session.js";

const $ = (id) => document.getElementById(id);
const state = { session: new Session(), previous: null, timer: null };
const pollMs = 3000;

function showError(error) { $("error").textContent = error?.message || String(error); }

/** An admin request with the session's token; a 401 refreshes the token once and retries. */
async function call(method, path, body, retried = false) {
  const response = await fetch(path, {
    method, headers: { Authorization: `Bearer ${state.session.accessToken}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status === 401 && !retried) { await state.session.refresh(); return call(method, path, body, true); }
  const json = response.headers.get("Content-Type")?.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw Object.assign(new Error(json.error?.message || response.statusText), json.error || {});
  return json;
}

function cells(row, values) {
  row.replaceChildren(...values.map((value) => {
    const cell = document.createElement("td");
    if (value instanceof Node) cell.append(value); else cell.textContent = String(value);
    return cell;
  }));
  return row;
}

// MARK: modules and connections

function renderOverview(overview) {
  $("node").textContent = `node ${overview.node}`;
  $("connections").textContent = String(overview.connections);
  $("users").textContent = String(overview.users);
  $("roles").textContent = Object.entries(overview.usersByRole).sort().map(([role, count]) => `${count} ${role}`).join(" · ");
  $("modules").replaceChildren(...overview.modules.map((module) => {
    const toggle = Object.assign(document.createElement("input"), { type: "checkbox", checked: module.enabled });
    toggle.setAttribute("aria-label", `${module.name} on`);
    toggle.dataset.module = module.name;
    toggle.addEventListener("change", () => setFeature(module.name, toggle.checked));
    const row = cells(document.createElement("tr"), [module.name, toggle, module.topics, module.subscriptions]);
    row.dataset.module = module.name;
    row.className = module.enabled ? "" : "off";
    return row;
  }));
  $("topics").replaceChildren(...overview.topics.map((topic) => cells(document.createElement("tr"), [topic.topic, topic.subscribers])));
}

/** A duration in words, coarse: "42 s", "7 min", "3 h". */
function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function renderCluster(cluster, currentNode) {
  const now = Date.now();
  $("nodes").replaceChildren(...cluster.nodes.map((node) => {
    const row = cells(document.createElement("tr"), [
      node.name + (node.name === currentNode ? " (this one)" : ""), node.connections, ago(now - node.startedAt),
      `${ago(now - node.lastSeenAt)} ago`, node.leaderOf.join(", ") || "–",
    ]);
    row.dataset.node = node.name;
    return row;
  }));
}

async function setFeature(name, enabled) {
  try {
    await call("PUT", `/admin/features/${encodeURIComponent(name)}`, { enabled });
    renderOverview(await call("GET", "/admin/overview"));
  } catch (error) { showError(error); }
}

// MARK: rates from /metrics

/** `sb_commands_total{module,type,code}` of a Prometheus text exposition, by command type. */
function commandCounts(text) {
  const counts = new Map();
  for (const line of text.split("\n")) {
    const match = /^sb_commands_total\{([^}]*)\} ([0-9.e+]+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const entry = counts.get(labels.type) || { total: 0, errors: 0 };
    entry.total += Number(match[2]);
    if (labels.code !== "ok") entry.errors += Number(match[2]);
    counts.set(labels.type, entry);
  }
  return counts;
}

function renderRates(sample) {
  const previous = state.previous;
  state.previous = sample;
  const seconds = previous ? (sample.at - previous.at) / 1000 : null;
  $("window").textContent = seconds ? seconds.toFixed(1) : "–";
  let commandRate = 0, errorRate = 0;
  const rows = [...sample.counts.entries()].map(([type, now]) => {
    const before = previous?.counts.get(type) || { total: 0, errors: 0 };
    const rate = seconds ? (now.total - before.total) / seconds : 0;
    const errors = seconds ? (now.errors - before.errors) / seconds : 0;
    commandRate += rate;
    errorRate += errors;
    return { type, rate, errors, now };
  }).sort((a, b) => b.rate - a.rate || b.now.total - a.now.total);
  $("command-rate").textContent = commandRate.toFixed(1);
  $("error-rate").textContent = errorRate.toFixed(1);
  $("commands").replaceChildren(...rows.map((row) => {
    const tr = cells(document.createElement("tr"), [row.type, row.rate.toFixed(1), row.errors.toFixed(1), row.now.total, row.now.errors]);
    tr.dataset.type = row.type;
    if (row.now.errors) tr.children[4].className = "errors";
    return tr;
  }));
}

// MARK: staff

async function loadStaff() {
  const lists = await Promise.all(["admin", "agent", "host"].map((role) => call("GET", `/admin/users?role=${role}`)));
  const users = lists.flatMap((list) => list.items);
  $("staff").replaceChildren(...users.map((user) => {
    const select = document.createElement("select");
    for (const role of ["user", "agent", "host", "admin"]) select.append(Object.assign(document.createElement("option"), { value: role, textContent: role }));
    select.value = user.role;
    select.setAttribute("aria-label", `role of ${user.username}`);
    select.addEventListener("change", () => setRole(user.username, select.value));
    const row = cells(document.createElement("tr"), [user.username, user.displayName, select]);
    row.dataset.username = user.username;
    return row;
  }));
}

async function setRole(username, role) {
  try {
    await call("PUT", `/admin/users/${encodeURIComponent(username)}/role`, { role });
    $("error").textContent = "";
    await loadStaff();
  } catch (error) { showError(error); }
}

// MARK: polling and sign-in

async function poll() {
  try {
    const [overview, metrics, cluster] = await Promise.all([
      call("GET", "/admin/overview"), call("GET", "/metrics"), call("GET", "/admin/cluster"),
    ]);
    renderOverview(overview);
    renderCluster(cluster, overview.node);
    renderRates({ at: Date.now(), counts: commandCounts(metrics) });
    $("status").textContent = "live";
  } catch (error) {
    $("status").textContent = "server unreachable, retrying";
    showError(error);
  }
}

async function start() {
  try {
    await call("GET", "/admin/overview");
  } catch (error) {
    $("error").textContent = error.code === "forbidden" ? "This console is for admins: sign in with an admin account." : error.message;
    return;
  }
  $("login").classList.add("hidden");
  $("console").classList.remove("hidden");
  $("me").textContent = state.session.user?.displayName || "";
  $("error").textContent = "";
  await Promise.all([poll(), loadStaff()]);
  state.timer = setInterval(poll, pollMs);
}

signInForm(state.session, start, showError);
$("role-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const username = $("role-username").value.trim().toLowerCase();
  if (username) setRole(username, $("role-role").value).then(() => { $("role-username").value = ""; });
});

(async () => {
  if (await state.session.resume()) await start();
})();
