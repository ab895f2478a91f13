// The chat app, built on switchboard.js like any app would be: the caller's rooms with unread
// counts and last messages, joining and creating rooms, direct messages by username, history
// loaded on scroll, editing and deleting one's own messages, typing, who is here, read
// positions, notification toasts with an unread badge, and the reconnecting banner.
// Everything a user typed is shown with textContent: never parsed as HTML.
import { Session, connectionBanner, signInForm, toast } from "/web/session.js";

const $ = (id) => document.getElementById(id);
const roomKey = "switchboard-chat-room";
const pageSize = 30;
const state = {
  session: new Session(),
  client: null,
  me: null,
  rooms: new Map(), // name → {room, unread, lastMessage, subscription}
  names: {}, // user id → display name (DM titles)
  current: null,
  cursor: null, // the current room's next history page (null: none left)
  loadingMore: false,
  presence: null, // the presence subscription of the current room
  typing: new Map(), // user id → {name, until}
  typingUntil: 0,
  readSeq: new Map(), // room → the seq last sent with chat.read
};

function showError(error) {
  const message = error?.message || String(error);
  $("error").textContent = error?.retryAfterMs ? `${message}, retry in ${Math.ceil(error.retryAfterMs / 1000)} s` : message;
}

function clearError() { $("error").textContent = ""; }

// MARK: the room list

function title(room) {
  if (room.kind !== "dm") return room.name;
  const peer = (room.members || []).find((id) => id !== state.me?.id);
  return state.names[peer] ? `@ ${state.names[peer]}` : "direct message";
}

function preview(message) {
  if (!message) return "no messages yet";
  return message.deleted ? `${message.authorName}: (deleted)` : `${message.authorName}: ${message.text}`;
}

function renderRooms() {
  const entries = [...state.rooms.values()].sort((a, b) => (b.lastMessage?.sentAt ?? 0) - (a.lastMessage?.sentAt ?? 0) || a.room.name.localeCompare(b.room.name));
  $("room-list").replaceChildren(...entries.map((entry) => {
    const item = document.createElement("li");
    item.dataset.room = entry.room.name;
    item.className = entry.room.name === state.current ? "current" : "";
    const button = Object.assign(document.createElement("button"), { type: "button" });
    const name = Object.assign(document.createElement("span"), { className: "room-title", textContent: title(entry.room) });
    const badge = Object.assign(document.createElement("span"), { className: "badge unread", textContent: String(entry.unread) });
    badge.hidden = entry.unread === 0;
    const last = Object.assign(document.createElement("span"), { className: "last", textContent: preview(entry.lastMessage) });
    button.append(name, badge, last);
    button.addEventListener("click", () => selectRoom(entry.room.name).catch(showError));
    item.append(button);
    return item;
  }));
}

/** Reloads the caller's rooms (`chat.rooms`) and subscribes to each, once per page. */
async function loadRooms() {
  const reply = await state.client.request("chat.rooms");
  Object.assign(state.names, reply.names || {});
  const seen = new Set();
  for (const item of reply.items) {
    seen.add(item.room.name);
    const entry = state.rooms.get(item.room.name) || { subscription: null };
    Object.assign(entry, { room: item.room, unread: item.room.name === state.current ? 0 : item.unread, lastMessage: item.lastMessage || null });
    state.rooms.set(item.room.name, entry);
    watch(item.room.name);
  }
  for (const [name, entry] of state.rooms) {
    if (!seen.has(name)) { entry.subscription?.unsubscribe().catch(() => {}); state.rooms.delete(name); }
  }
  renderRooms();
}

function watch(name) {
  const entry = state.rooms.get(name);
  if (!entry || entry.subscription) return;
  entry.subscription = state.client.subscribe(`chat:${name}`, {
    onEvent: (event) => onRoomEvent(name, event),
    onRecovery: ({ recovered }) => {
      if (recovered) return;
      loadRooms().catch(showError);
      if (name === state.current) loadHistory().catch(showError);
    },
  });
}

// MARK: messages

function render(message) {
  let item = document.querySelector(`#messages li[data-id="${CSS.escape(message.id)}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset.id = message.id;
    item.dataset.seq = message.seq;
    const author = Object.assign(document.createElement("span"), { className: "author" });
    const text = Object.assign(document.createElement("span"), { className: "text" });
    const meta = Object.assign(document.createElement("span"), { className: "meta" });
    item.append(author, text, meta);
    if (message.authorId === state.me?.id) item.append(actions(message.id));
    const list = $("messages");
    const after = [...list.children].find((li) => Number(li.dataset.seq) > message.seq);
    list.insertBefore(item, after || null); // in seq order, whether newer or an older page
  }
  item.querySelector(".author").textContent = message.authorName;
  if (!item.classList.contains("editing")) item.querySelector(".text").textContent = message.deleted ? "(deleted)" : message.text;
  item.querySelector(".meta").textContent = message.deleted ? "" : message.editedAt ? "(edited)" : "";
  item.classList.toggle("deleted", message.deleted);
  item.classList.toggle("mine", message.authorId === state.me?.id);
  item.dataset.text = message.deleted ? "" : message.text;
  if (message.deleted) item.querySelector(".actions")?.remove();
  return item;
}

function actions(id) {
  const box = Object.assign(document.createElement("span"), { className: "actions" });
  const edit = Object.assign(document.createElement("button"), { type: "button", className: "edit", textContent: "Edit" });
  const remove = Object.assign(document.createElement("button"), { type: "button", className: "delete", textContent: "Delete" });
  edit.addEventListener("click", () => startEdit(id));
  remove.addEventListener("click", () => {
    // two clicks: the first asks, the second (within 4 s) deletes
    if (remove.dataset.armed !== "1") {
      remove.dataset.armed = "1";
      remove.textContent = "Delete?";
      setTimeout(() => { remove.dataset.armed = ""; remove.textContent = "Delete"; }, 4000);
      return;
    }
    state.client.request("chat.delete", { messageId: id }).then((reply) => render(reply.message)).catch(showError);
  });
  box.append(edit, remove);
  return box;
}

function startEdit(id) {
  const item = document.querySelector(`#messages li[data-id="${CSS.escape(id)}"]`);
  if (!item || item.classList.contains("editing")) return;
  item.classList.add("editing");
  const input = Object.assign(document.createElement("input"), { className: "edit-input", value: item.dataset.text, maxLength: 4000 });
  input.setAttribute("aria-label", "edit message");
  const text = item.querySelector(".text");
  text.replaceChildren(input);
  input.focus();
  const finish = () => { item.classList.remove("editing"); text.textContent = item.dataset.text; };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") finish();
    if (event.key !== "Enter") return;
    event.preventDefault();
    state.client.request("chat.edit", { messageId: id, text: input.value })
      .then((reply) => { finish(); render(reply.message); clearError(); })
      .catch(showError);
  });
}

function nearBottom() {
  const list = $("messages");
  return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
}

function scrollToBottom() { $("messages").scrollTop = $("messages").scrollHeight; }

/** The current room's newest page. */
async function loadHistory() {
  const room = state.current;
  const page = await state.client.request("chat.history", { room, limit: pageSize });
  if (room !== state.current) return;
  $("messages").replaceChildren();
  page.items.reverse().forEach((message) => render(message));
  state.cursor = page.nextCursor;
  scrollToBottom();
  markRead();
}

/** The page before the oldest shown, kept in place on screen ("Loading more…" meanwhile). */
async function loadMore() {
  if (!state.cursor || state.loadingMore) return;
  state.loadingMore = true;
  $("loading-more").classList.remove("hidden");
  const room = state.current;
  try {
    const page = await state.client.request("chat.history", { room, limit: pageSize, before: state.cursor });
    if (room !== state.current) return;
    const list = $("messages");
    const before = list.scrollHeight;
    page.items.forEach((message) => render(message));
    list.scrollTop += list.scrollHeight - before;
    state.cursor = page.nextCursor;
  } finally {
    state.loadingMore = false;
    $("loading-more").classList.add("hidden");
  }
}

/** Moves the read position to the newest message shown, when the user can see it. */
function markRead() {
  const room = state.current;
  const items = [...$("messages").children];
  const last = items[items.length - 1];
  if (!room || !last || document.visibilityState !== "visible" || !nearBottom()) return;
  const seq = Number(last.dataset.seq);
  if ((state.readSeq.get(room) ?? 0) >= seq) return;
  state.readSeq.set(room, seq);
  state.client.request("chat.read", { room, messageId: last.dataset.id }).catch(() => state.readSeq.delete(room));
  const entry = state.rooms.get(room);
  if (entry && entry.unread) { entry.unread = 0; renderRooms(); }
}

function onRoomEvent(room, event) {
  const entry = state.rooms.get(room);
  const message = event.data.message;
  switch (event.type) {
    case "chat.message":
      if (entry) {
        entry.lastMessage = message;
        if (room !== state.current && message.authorId !== state.me?.id) entry.unread += 1;
        renderRooms();
      }
      if (room === state.current) {
        const follow = nearBottom() || message.authorId === state.me?.id;
        render(message);
        stopTyping(message.authorId);
        if (follow) scrollToBottom();
        markRead();
      }
      break;
    case "chat.edited": case "chat.deleted":
      if (entry && entry.lastMessage?.id === message.id) { entry.lastMessage = message; renderRooms(); }
      if (room === state.current) render(message);
      break;
    case "chat.typing":
      if (room !== state.current || event.data.userId === state.me?.id) break;
      if (event.data.typing) state.typing.set(event.data.userId, { name: event.data.displayName, until: Date.now() + (event.data.expiresInMs || 5000) });
      else state.typing.delete(event.data.userId);
      renderTyping();
      break;
  }
}

function stopTyping(userID) {
  if (state.typing.delete(userID)) renderTyping();
}

function renderTyping() {
  const now = Date.now();
  for (const [id, typist] of state.typing) if (typist.until <= now) state.typing.delete(id);
  const names = [...state.typing.values()].map((typist) => typist.name);
  $("typing").textContent = names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : `${names.join(" and ")} are typing…`;
}

// MARK: who is here

async function refreshPresence() {
  const room = state.current;
  const reply = await state.client.request("presence.list", { topic: `chat:${room}` });
  if (room !== state.current) return;
  const names = reply.items.map((member) => member.displayName);
  $("present").textContent = names.length ? `here: ${names.join(", ")}` : "";
  $("present").title = `${names.length} here`;
}

async function watchPresence(previous) {
  if (state.presence) { state.presence.unsubscribe().catch(() => {}); state.presence = null; }
  if (previous) state.client.request("presence.untrack", { topic: `chat:${previous}` }).catch(() => {});
  const room = state.current;
  state.presence = state.client.subscribe(`presence:chat:${room}`, { onEvent: () => refreshPresence().catch(() => {}) });
  await state.client.request("presence.track", { topic: `chat:${room}` });
  await refreshPresence();
}

// MARK: rooms

async function selectRoom(name) {
  const previous = state.current;
  state.current = name;
  sessionStorage.setItem(roomKey, name);
  state.typing.clear();
  renderTyping();
  const entry = state.rooms.get(name);
  $("room-name").textContent = entry ? title(entry.room) : name;
  $("messages").replaceChildren();
  state.cursor = null;
  renderRooms();
  await loadHistory();
  if (previous !== name || !state.presence) await watchPresence(previous);
  $("text").focus();
}

async function joinRoom(name) {
  const reply = await state.client.request("chat.join", { room: name });
  if (!state.rooms.has(name)) state.rooms.set(name, { room: reply.room, unread: 0, lastMessage: null, subscription: null });
  watch(name);
  return reply.room;
}

/** After each (re)connect: presence is per connection, so track again; the room list may have changed. */
async function onConnected(first) {
  if (first) {
    await loadRooms();
    if (state.rooms.size === 0) await joinRoom("general");
    const saved = sessionStorage.getItem(roomKey);
    const start = state.rooms.has(saved) ? saved : state.rooms.has("general") ? "general" : state.rooms.keys().next().value;
    await selectRoom(start);
  } else {
    await loadRooms();
    if (state.current) {
      await state.client.request("presence.track", { topic: `chat:${state.current}` });
      await refreshPresence();
    }
  }
}

// MARK: notifications

function setUnread(count) {
  $("unread").textContent = String(count);
  $("bell").classList.toggle("has-unread", count > 0);
}

// MARK: the session

function start() {
  showChat();
  const client = state.session.connect();
  state.client = client;
  state.me = state.session.user;
  $("me").textContent = state.me?.displayName || "";
  let first = true;
  connectionBanner(client, $);
  client.on("connected", ({ user } = {}) => {
    if (user) { state.me = user; $("me").textContent = user.displayName; }
    onConnected(first).catch(showError);
    first = false;
  });
  client.on("event", (event) => {
    switch (event.type) {
      case "notifications.unread": setUnread(event.data.count); break;
      case "notifications.new": // a new one is unread: the server sends the count on connect and after reads
        toast($("toasts"), event.data.notification);
        setUnread(Number($("unread").textContent) + 1);
        break;
      case "chat.room": loadRooms().catch(showError); break; // someone opened a DM with us, or added us to a room
      case "chat.read": {
        const entry = state.rooms.get(event.data.room);
        if (entry && event.data.room !== state.current) loadRooms().catch(() => {});
        break;
      }
      case "hub.shutdown": $("status").textContent = "server restarting…"; break;
    }
  });
  client.on("error", showError);
  client.on("feature", ({ module, enabled }) => {
    if (module !== "chat") return;
    // an operator switched chat off (or on again): say so, stop sending, reload when back
    $("off").classList.toggle("hidden", enabled);
    for (const id of ["text", "send", "room-input", "join-room", "dm-input", "open-dm"]) $(id).disabled = !enabled;
    if (enabled) onConnected(false).then(loadHistory).catch(showError);
  });
  setInterval(renderTyping, 1000);
}

function showChat() {
  $("login").classList.add("hidden");
  $("chat").classList.remove("hidden");
  clearError();
}

function showLogin(message) {
  $("login").classList.remove("hidden");
  $("chat").classList.add("hidden");
  $("error").textContent = message || "";
  $("status").textContent = "signed out";
}

signInForm(state.session, start, showError);
$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim() || !state.current) return;
  try {
    await state.client.request("chat.send", { room: state.current, text, clientMsgId: crypto.randomUUID() });
    $("text").value = "";
    // sending ended the indicator on the server; the next keystroke may start it again once
    // chat.typing's limit (1/s) allows
    state.typingUntil = Date.now() + 1000;
    clearError();
  } catch (error) { showError(error); }
});
$("text").addEventListener("input", () => {
  if (Date.now() < state.typingUntil || state.client?.state !== "connected" || !state.current) return;
  state.typingUntil = Date.now() + 3000;
  state.client.request("chat.typing", { room: state.current, typing: true }).catch(() => {});
});
$("messages").addEventListener("scroll", () => {
  if ($("messages").scrollTop < 40) loadMore().catch(showError);
  markRead();
});
document.addEventListener("visibilitychange", markRead);
$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = $("room-input").value.trim().toLowerCase();
  if (!name) return;
  try {
    await joinRoom(name);
    $("room-input").value = "";
    await selectRoom(name);
    clearError();
  } catch (error) { showError(error); }
});
$("dm-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = $("dm-input").value.trim();
  if (!username) return;
  try {
    const reply = await state.client.request("chat.openDm", { username });
    $("dm-input").value = "";
    await loadRooms();
    watch(reply.room.name);
    await selectRoom(reply.room.name);
    clearError();
  } catch (error) { showError(error); }
});
$("bell").addEventListener("click", () => {
  state.client?.request("notifications.readAll").then((reply) => setUnread(reply.unread)).catch(showError);
});

// a reload keeps the session: the refresh token is in this tab's storage
(async () => {
  if (await state.session.resume()) start(); else showLogin();
})();
