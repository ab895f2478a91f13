// The helpdesk: a requester files tickets and follows their public thread; an agent works a
// live queue sorted by due time, with SLA countdown badges (amber once the SLA monitor warned,
// red once breached), updates highlighted as they arrive, assignment, transitions, priority
// and internal notes marked as internal. Built on switchboard.js; text is shown as text.
import { Session, connectionBanner, signInForm, toast } from "/web/session.js";

const $ = (id) => document.getElementById(id);
const active = ["new", "open", "pending", "on_hold"];
// the status machine of docs/modules/tickets.md, as staff may move it
const moves = { new: ["open"], open: ["pending", "on_hold", "solved"], pending: ["open", "solved"], on_hold: ["open", "solved"], solved: ["open", "closed"], closed: [] };
const state = {
  session: new Session(), client: null, me: null, staff: false,
  tickets: new Map(), // id → ticket shown in the list
  open: null, // the ticket shown on the right
  comments: new Map(), // comment id → comment of the open ticket
  watch: null, // the open ticket's subscription (requesters)
};

function showError(error) {
  const message = error?.message || String(error);
  $("error").textContent = error?.retryAfterMs ? `${message}, retry in ${Math.ceil(error.retryAfterMs / 1000)} s` : message;
}

// MARK: SLA

/** The running SLA target of `ticket`: which one, when it is due, and its state for the badge. */
function sla(ticket) {
  if (!active.includes(ticket.status)) return null;
  // absent and null are alike: the server leaves out what is not set
  const first = ticket.firstResponseAt == null && ticket.firstResponseDue != null;
  const due = first ? ticket.firstResponseDue : ticket.resolutionDue;
  if (due == null) return null;
  const breached = first ? ticket.firstResponseBreached : ticket.resolutionBreached;
  const warned = first ? ticket.firstResponseWarned : ticket.resolutionWarned;
  return { target: first ? "response" : "resolution", due, level: ticket.slaPaused ? "paused" : breached ? "breached" : warned ? "warned" : "ok" };
}

function duration(ms) {
  const minutes = Math.floor(Math.abs(ms) / 60000), seconds = Math.floor(Math.abs(ms) / 1000) % 60;
  if (minutes >= 120) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`;
}

function drawBadge(element, ticket) {
  const target = sla(ticket);
  element.className = `sla ${target ? target.level : "none"}`;
  if (!target) { element.textContent = ""; return; }
  const left = target.due - Date.now();
  element.textContent = target.level === "paused" ? `${target.target} SLA paused`
    : left >= 0 ? `${target.target} due in ${duration(left)}` : `${target.target} overdue ${duration(left)}`;
}

function tickBadges() {
  for (const element of document.querySelectorAll("#tickets .sla")) {
    const ticket = state.tickets.get(element.closest("li").dataset.id);
    if (ticket) drawBadge(element, ticket);
  }
  if (state.open) drawBadge($("ticket-sla"), state.open);
}

// MARK: the list

function sortKey(ticket) {
  const target = sla(ticket);
  return target ? target.due : Number.MAX_SAFE_INTEGER;
}

function renderList() {
  const tickets = [...state.tickets.values()];
  tickets.sort(state.staff ? (a, b) => sortKey(a) - sortKey(b) || b.updatedAt - a.updatedAt : (a, b) => b.updatedAt - a.updatedAt);
  const flashing = new Set([...document.querySelectorAll("#tickets li.flash")].map((li) => li.dataset.id));
  $("tickets").replaceChildren(...tickets.map((ticket) => {
    const item = document.createElement("li");
    item.dataset.id = ticket.id;
    item.className = [ticket.id === state.open?.id ? "current" : "", flashing.has(ticket.id) ? "flash" : ""].join(" ").trim();
    const button = Object.assign(document.createElement("button"), { type: "button" });
    button.append(Object.assign(document.createElement("span"), { className: "subject", textContent: ticket.subject }),
                  Object.assign(document.createElement("span"), { className: `status ${ticket.status}`, textContent: ticket.status.replace("_", " ") }),
                  Object.assign(document.createElement("span"), { className: `priority ${ticket.priority}`, textContent: ticket.priority }),
                  Object.assign(document.createElement("span"), { className: "sla" }));
    button.addEventListener("click", () => openTicket(ticket.id).catch(showError));
    item.append(button);
    drawBadge(button.querySelector(".sla"), ticket);
    return item;
  }));
}

function flash(id) {
  const item = document.querySelector(`#tickets li[data-id="${CSS.escape(id)}"]`);
  if (!item) return;
  item.classList.remove("flash");
  void item.offsetWidth; // restart the animation
  item.classList.add("flash");
  setTimeout(() => item.classList.remove("flash"), 3000);
}

async function loadList() {
  const request = state.staff
    ? { scope: $("mine-only").checked ? "assignedToMe" : "all", status: active, sort: "due", limit: 100 }
    : { scope: "mine", sort: "updated", limit: 100 };
  const page = await state.client.request("tickets.list", request);
  state.tickets = new Map(page.items.map((ticket) => [ticket.id, ticket]));
  renderList();
}

/** A ticket changed (an event, or the reply to our own command): list, view and thread follow. */
function upsert(ticket, comment) {
  const listed = state.staff ? active.includes(ticket.status) && (!$("mine-only").checked || ticket.assigneeId === state.me.id) : true;
  if (listed) state.tickets.set(ticket.id, ticket); else state.tickets.delete(ticket.id);
  renderList();
  if (listed) flash(ticket.id);
  if (state.open?.id === ticket.id) {
    state.open = ticket;
    renderTicket();
    if (comment) addComment(comment);
  }
}

// MARK: one ticket

function author(comment) {
  if (comment.authorId === state.me.id) return "You";
  return comment.authorId === state.open.requesterId ? "Requester" : "Support";
}

function addComment(comment) {
  if (comment.internal && !state.staff) return;
  state.comments.set(comment.id, comment);
  const comments = [...state.comments.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  $("thread").replaceChildren(...comments.map((entry) => {
    const item = document.createElement("li");
    item.dataset.id = entry.id;
    item.className = entry.internal ? "internal" : "";
    const head = Object.assign(document.createElement("div"), { className: "who" });
    head.append(Object.assign(document.createElement("strong"), { textContent: author(entry) }),
                Object.assign(document.createElement("span"), { className: "when", textContent: new Date(entry.createdAt).toLocaleString() }));
    if (entry.internal) head.append(Object.assign(document.createElement("span"), { className: "internal-tag", textContent: "Internal note" }));
    item.append(head, Object.assign(document.createElement("div"), { className: "body", textContent: entry.body }));
    return item;
  }));
}

function renderTicket() {
  const ticket = state.open;
  $("ticket").classList.remove("hidden");
  $("ticket-subject").textContent = ticket.subject;
  $("ticket-status").textContent = ticket.status.replace("_", " ");
  $("ticket-status").className = `status ${ticket.status}`;
  $("ticket-priority").textContent = ticket.priority;
  $("ticket-priority").className = `priority ${ticket.priority}`;
  $("ticket-description").textContent = ticket.description;
  $("ticket-assignee").textContent = ticket.assigneeId ? (ticket.assigneeId === state.me.id ? "assigned to you" : "assigned") : "unassigned";
  drawBadge($("ticket-sla"), ticket);
  $("staff-controls").classList.toggle("hidden", !state.staff);
  $("reopen").classList.toggle("hidden", state.staff || ticket.status !== "solved");
  $("reply").classList.toggle("hidden", ticket.status === "closed");
  if (state.staff) {
    $("priority").value = ticket.priority;
    $("assign-me").disabled = ticket.assigneeId === state.me.id || state.me.role !== "agent";
    $("unassign").disabled = !ticket.assigneeId;
    $("transitions").replaceChildren(...moves[ticket.status].map((status) => {
      const button = Object.assign(document.createElement("button"), { type: "button", textContent: `→ ${status.replace("_", " ")}` });
      button.dataset.status = status;
      button.addEventListener("click", () => command("tickets.transition", { ticketId: ticket.id, status }));
      return button;
    }));
  }
  for (const item of document.querySelectorAll("#tickets li")) item.classList.toggle("current", item.dataset.id === ticket.id);
}

async function openTicket(id) {
  const reply = await state.client.request("tickets.get", { ticketId: id });
  state.open = reply.ticket;
  state.comments = new Map();
  $("thread").replaceChildren();
  renderTicket();
  reply.comments.forEach(addComment);
  // staff hear every ticket on tickets:queue; a requester watches the one they opened
  if (!state.staff) {
    if (state.watch?.topic !== `tickets:${id}`) {
      state.watch?.unsubscribe().catch(() => {});
      state.watch = state.client.subscribe(`tickets:${id}`, {
        onEvent: onTicketEvent,
        onRecovery: ({ recovered }) => { if (!recovered) openTicket(id).catch(showError); },
      });
    }
  }
}

async function command(type, data) {
  try {
    const reply = await state.client.request(type, data);
    upsert(reply.ticket, reply.comment);
    $("error").textContent = "";
    return reply;
  } catch (error) { showError(error); return null; }
}

function onTicketEvent(event) {
  switch (event.type) {
    case "tickets.updated": upsert(event.data.ticket, event.data.change?.comment); break;
    case "tickets.sla_warning": case "tickets.sla_breached": upsert(event.data.ticket); break;
  }
}

// MARK: the session

async function onConnected(first) {
  await loadList();
  if (first && state.staff) {
    state.client.subscribe("tickets:queue", { onEvent: onTicketEvent, onRecovery: ({ recovered }) => { if (!recovered) loadList().catch(showError); } });
  }
  if (state.open) await openTicket(state.open.id);
}

function start() {
  $("login").classList.add("hidden");
  $("desk").classList.remove("hidden");
  const client = state.session.connect();
  state.client = client;
  let first = true;
  connectionBanner(client, $);
  client.on("connected", ({ user }) => {
    state.me = user;
    state.staff = user.role === "agent" || user.role === "admin";
    $("me").textContent = `${user.displayName} (${state.staff ? "support" : "requester"})`;
    $("list-title").textContent = state.staff ? "Queue" : "My tickets";
    $("mine-label").classList.toggle("hidden", !state.staff);
    $("new-ticket").classList.toggle("hidden", state.staff);
    $("internal-label").classList.toggle("hidden", !state.staff);
    onConnected(first).catch(showError);
    first = false;
  });
  client.on("event", (event) => {
    if (event.type === "notifications.new") {
      toast($("toasts"), event.data.notification);
      if (!state.staff) loadList().catch(() => {}); // a reply on one of my tickets
    }
  });
  client.on("error", showError);
  setInterval(tickBadges, 1000);
}

signInForm(state.session, start, showError);
$("mine-only").addEventListener("change", () => loadList().catch(showError));
$("new-ticket").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reply = await command("tickets.create", { subject: $("new-subject").value, description: $("new-description").value, priority: $("new-priority").value });
  if (!reply) return;
  $("new-subject").value = "";
  $("new-description").value = "";
  await openTicket(reply.ticket.id);
});
$("reply").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reply = await command("tickets.comment", { ticketId: state.open.id, body: $("reply-body").value, internal: state.staff && $("internal").checked });
  if (reply) { $("reply-body").value = ""; $("internal").checked = false; }
});
$("assign-me").addEventListener("click", () => command("tickets.assign", { ticketId: state.open.id, agentId: state.me.id }));
$("unassign").addEventListener("click", () => command("tickets.assign", { ticketId: state.open.id, agentId: null }));
$("priority").addEventListener("change", () => command("tickets.setPriority", { ticketId: state.open.id, priority: $("priority").value }));
$("reopen").addEventListener("click", () => command("tickets.transition", { ticketId: state.open.id, status: "open" }));

(async () => {
  if (await state.session.resume()) start();
})();
