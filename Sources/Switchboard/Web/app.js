// The chat page: one room, built on switchboard.js like any app would be.
import { Session, connectionBanner } from "/web/session.js";

const $ = (id) => document.getElementById(id);
const state = { client: null, session: new Session(), room: "general", typingUntil: 0 };

function showError(error) {
  $("error").textContent = error.retryAfterMs ? `${error.message}, retry in ${Math.ceil(error.retryAfterMs / 1000)} s` : error.message;
}

function render(message) {
  let item = document.querySelector(`#messages li[data-id="${CSS.escape(message.id)}"]`);
  if (!item) {
    item = document.createElement("li");
    item.dataset.id = message.id;
    item.dataset.seq = message.seq;
    const author = document.createElement("span");
    author.className = "author";
    const text = document.createElement("span");
    text.className = "text";
    item.append(author, text);
    const list = $("messages");
    const after = [...list.children].find((li) => Number(li.dataset.seq) > message.seq);
    list.insertBefore(item, after || null);
  }
  // text only, never HTML: what a user typed is shown, not interpreted
  item.querySelector(".author").textContent = message.authorName;
  item.querySelector(".text").textContent = message.deleted ? "(deleted)" : message.text;
  item.classList.toggle("deleted", message.deleted);
  $("messages").scrollTop = $("messages").scrollHeight;
}

async function loadHistory() {
  const page = await state.client.request("chat.history", { room: state.room, limit: 50 });
  $("messages").replaceChildren();
  page.items.reverse().forEach(render);
}

async function refreshPresence() {
  const count = await state.client.request("presence.count", { topic: `chat:${state.room}` });
  $("present").textContent = `${count.users} here`;
}

function onRoomEvent(event) {
  switch (event.type) {
    case "chat.message": case "chat.edited": case "chat.deleted": render(event.data.message); break;
    case "chat.typing": $("typing").textContent = event.data.typing ? `${event.data.displayName} is typing…` : ""; break;
    case "presence.diff": refreshPresence().catch(() => {}); break;
  }
}

/** Joins the room once per connection; the subscription itself is kept by the library. */
async function enterRoom(first) {
  await state.client.request("chat.join", { room: state.room });
  $("room-name").textContent = state.room;
  if (first) {
    state.client.subscribe(`chat:${state.room}`, {
      onEvent: onRoomEvent,
      onRecovery: ({ recovered }) => { if (!recovered) loadHistory().catch(showError); },
    });
    await loadHistory();
  }
  await state.client.request("presence.track", { topic: `chat:${state.room}` });
  await refreshPresence();
}

function start() {
  showChat();
  const client = state.session.connect();
  state.client = client;
  let first = true;
  connectionBanner(client, $);
  client.on("connected", () => {
    enterRoom(first).catch(showError);
    first = false;
  });
  client.on("event", (event) => {
    if (event.type === "notifications.unread") $("unread").textContent = String(event.data.count);
    if (event.type === "hub.shutdown") $("status").textContent = "server restarting…";
  });
  client.on("error", showError);
}

function showChat() {
  $("login").classList.add("hidden");
  $("chat").classList.remove("hidden");
  $("composer").classList.remove("hidden");
  $("text").focus();
}

function showLogin(message) {
  $("login").classList.remove("hidden");
  $("chat").classList.add("hidden");
  $("composer").classList.add("hidden");
  $("error").textContent = message || "";
  $("status").textContent = "signed out";
}

async function signIn(path) {
  try {
    await state.session.signIn(path, $("username").value, $("password").value);
    start();
  } catch (error) { showError(error); }
}

$("login-button").addEventListener("click", () => signIn("/auth/login"));
$("register-button").addEventListener("click", () => signIn("/auth/register"));
$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value;
  if (!text.trim()) return;
  try {
    await state.client.request("chat.send", { room: state.room, text, clientMsgId: crypto.randomUUID() });
    $("text").value = "";
    $("error").textContent = "";
  } catch (error) { showError(error); }
});
$("text").addEventListener("input", () => {
  if (Date.now() < state.typingUntil || state.client?.state !== "connected") return;
  state.typingUntil = Date.now() + 3000;
  state.client.request("chat.typing", { room: state.room, typing: true }).catch(() => {});
});

// a reload keeps the session: the refresh token is in this tab's storage
(async () => {
  if (await state.session.resume()) start(); else showLogin();
})();
