/// The browser client's page and script, compiled into the binary so a copied executable
/// serves them with nothing else installed.
enum WebClientAssets {
    static let page = #"""
    <!doctype html>
    <html lang="en">
    <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Switchboard chat</title>
      <style>
        body { font: 15px/1.4 system-ui, sans-serif; margin: 0; display: flex; flex-direction: column; height: 100vh; }
        header { padding: .5rem 1rem; background: #1d3557; color: #fff; display: flex; gap: 1rem; align-items: center; }
        header .grow { flex: 1; }
        main { flex: 1; display: flex; min-height: 0; }
        #messages { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 1rem; }
        #messages li { margin: .25rem 0; white-space: pre-wrap; word-break: break-word; }
        #messages li.deleted .text { color: #999; font-style: italic; }
        #messages .author { font-weight: 600; margin-right: .5rem; }
        aside { width: 12rem; border-left: 1px solid #ddd; padding: 1rem; }
        form { display: flex; gap: .5rem; padding: .5rem 1rem; border-top: 1px solid #ddd; }
        form input { flex: 1; }
        #login { padding: 2rem; display: grid; gap: .5rem; max-width: 20rem; }
        .hidden { display: none !important; }
        #error { color: #b00020; }
      </style>
    </head>
    <body>
      <header><strong>Switchboard</strong><span class="grow" id="status">signed out</span>
        <span>notifications: <span id="unread">0</span></span></header>
      <section id="login">
        <input id="username" placeholder="username" autocomplete="username">
        <input id="password" placeholder="password" type="password" autocomplete="current-password">
        <button id="login-button" type="button">Log in</button>
        <button id="register-button" type="button">Register</button>
        <div id="error" role="alert"></div>
      </section>
      <main id="chat" class="hidden">
        <ul id="messages" aria-live="polite"></ul>
        <aside><div>Room <strong id="room-name"></strong></div><div id="present">0 here</div><div id="typing"></div></aside>
      </main>
      <form id="composer" class="hidden"><input id="text" placeholder="Message" maxlength="4000" autocomplete="off"><button id="send" type="submit">Send</button></form>
      <script src="/web/app.js"></script>
    </body>
    </html>
    """#

    static let script = #"""
    "use strict";
    const $ = (id) => document.getElementById(id);
    const state = { token: null, refresh: null, ws: null, nextId: 1, pending: new Map(), room: "general",
                    lastSeq: null, names: new Map(), retry: 0, typingUntil: 0 };

    async function api(path, body) {
      const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const json = await response.json();
      if (!response.ok) throw new Error(json.error ? json.error.message : response.statusText);
      return json;
    }

    function command(type, data = {}) {
      return new Promise((resolve, reject) => {
        const id = state.nextId++;
        state.pending.set(id, { resolve, reject });
        state.ws.send(JSON.stringify({ id, type, data }));
      });
    }

    function setStatus(text) { $("status").textContent = text; }

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
      const page = await command("chat.history", { room: state.room, limit: 50 });
      $("messages").replaceChildren();
      page.items.reverse().forEach(render);
    }

    async function refreshPresence() {
      const count = await command("presence.count", { topic: `chat:${state.room}` });
      $("present").textContent = `${count.users} here`;
    }

    async function enterRoom(recovering) {
      const joined = await command("chat.join", { room: state.room });
      $("room-name").textContent = state.room;
      if (recovering && state.lastSeq !== null) {
        const resumed = await command("hub.subscribe", { topic: `chat:${state.room}`, since: state.lastSeq });
        if (resumed.recovered) { resumed.missed.forEach(onFrame); } else { await loadHistory(); }
      } else {
        state.lastSeq = joined.seq;
        await loadHistory();
      }
      await command("presence.track", { topic: `chat:${state.room}` });
      await refreshPresence();
    }

    function onFrame(frame) {
      if ("re" in frame) {
        const waiter = state.pending.get(frame.re);
        if (frame.re !== null && waiter) {
          state.pending.delete(frame.re);
          frame.ok ? waiter.resolve(frame.data) : waiter.reject(Object.assign(new Error(frame.error.message), frame.error));
        } else if (!frame.ok) {
          $("error").textContent = frame.error.message;
        }
        return;
      }
      if (frame.topic === `chat:${state.room}` && frame.seq) state.lastSeq = frame.seq;
      switch (frame.type) {
        case "hub.welcome": state.names.set(frame.data.user.id, frame.data.user.displayName); break;
        case "chat.message": case "chat.edited": case "chat.deleted": render(frame.data.message); break;
        case "chat.typing":
          $("typing").textContent = frame.data.typing ? `${frame.data.displayName} is typing…` : "";
          break;
        case "presence.diff": refreshPresence().catch(() => {}); break;
        case "notifications.unread": $("unread").textContent = String(frame.data.count); break;
        case "hub.token_expiring": renewToken(); break;
        case "hub.shutdown": setStatus("server restarting…"); break;
      }
    }

    async function renewToken() {
      const pair = await api("/auth/refresh", { refreshToken: state.refresh });
      remember(pair);
      await command("hub.auth", { accessToken: pair.accessToken });
    }

    function remember(pair) {
      state.token = pair.accessToken;
      state.refresh = pair.refreshToken;
      sessionStorage.setItem("switchboard", JSON.stringify({ refresh: pair.refreshToken }));
    }

    function connect(recovering) {
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      const ws = new WebSocket(`${scheme}//${location.host}/ws?access_token=${encodeURIComponent(state.token)}`);
      state.ws = ws;
      ws.onmessage = (event) => onFrame(JSON.parse(event.data));
      ws.onopen = () => {
        state.retry = 0;
        setStatus("connected");
        enterRoom(recovering).catch((error) => { $("error").textContent = error.message; });
      };
      ws.onclose = async (event) => {
        for (const waiter of state.pending.values()) waiter.reject(new Error("disconnected"));
        state.pending.clear();
        setStatus("reconnecting…");
        const delay = Math.min(10000, 500 * 2 ** state.retry++);
        setTimeout(async () => {
          try {
            if (event.code === 4001) remember(await api("/auth/refresh", { refreshToken: state.refresh }));
            connect(true);
          } catch (error) { showLogin(error.message); }
        }, delay);
      };
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
      setStatus("signed out");
    }

    async function signIn(path) {
      try {
        const pair = await api(path, { username: $("username").value, password: $("password").value });
        remember(pair);
        state.names.set(pair.user.id, pair.user.displayName);
        showChat();
        connect(false);
      } catch (error) { $("error").textContent = error.message; }
    }

    $("login-button").addEventListener("click", () => signIn("/auth/login"));
    $("register-button").addEventListener("click", () => signIn("/auth/register"));
    $("composer").addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = $("text").value;
      if (!text.trim()) return;
      try {
        await command("chat.send", { room: state.room, text, clientMsgId: crypto.randomUUID() });
        $("text").value = "";
        $("error").textContent = "";
      } catch (error) { $("error").textContent = error.retryAfterMs ? `${error.message}, retry in ${Math.ceil(error.retryAfterMs / 1000)} s` : error.message; }
    });
    $("text").addEventListener("input", () => {
      if (Date.now() < state.typingUntil || !state.ws || state.ws.readyState !== WebSocket.OPEN) return;
      state.typingUntil = Date.now() + 3000;
      command("chat.typing", { room: state.room, typing: true }).catch(() => {});
    });

    // a reload keeps the session: the refresh token is in this tab's storage
    (async () => {
      const saved = JSON.parse(sessionStorage.getItem("switchboard") || "null");
      if (!saved) return showLogin();
      try {
        remember(await api("/auth/refresh", { refreshToken: saved.refresh }));
        showChat();
        connect(false);
      } catch { showLogin(); }
    })();
    """#
}
