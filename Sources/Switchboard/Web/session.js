// The signed-in session shared by the pages: tokens from /auth, the refresh token kept in this
// tab's sessionStorage so a reload stays signed in, and a switchboard.js client on them.
import { connect } from "/web/switchboard.js";

const storageKey = "switchboard";

/** POSTs `body` to an /auth route; rejects with the server's message. */
export async function api(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw Object.assign(new Error(json.error ? json.error.message : response.statusText), json.error || {});
  return json;
}

/** The tokens of this tab and the client built on them. */
export class Session {
  constructor() {
    this.accessToken = null;
    this.refreshToken = null;
    this.user = null;
    this.client = null;
  }

  remember(pair) {
    this.accessToken = pair.accessToken;
    this.refreshToken = pair.refreshToken;
    if (pair.user) this.user = pair.user;
    sessionStorage.setItem(storageKey, JSON.stringify({ refresh: pair.refreshToken }));
  }

  /** A new access token through the refresh token (it rotates: the new one is kept). */
  async refresh() {
    this.remember(await api("/auth/refresh", { refreshToken: this.refreshToken }));
    return this.accessToken;
  }

  /** Signs in (`/auth/login`) or registers (`/auth/register`). */
  async signIn(path, username, password) {
    this.remember(await api(path, { username, password }));
  }

  /** Resumes the session of this tab after a reload; false when there is none. */
  async resume() {
    const saved = JSON.parse(sessionStorage.getItem(storageKey) || "null");
    if (!saved) return false;
    this.refreshToken = saved.refresh;
    try {
      await this.refresh();
      return true;
    } catch {
      sessionStorage.removeItem(storageKey);
      return false;
    }
  }

  /** The switchboard.js client of this session. */
  connect() {
    this.client = connect({ getToken: () => this.accessToken, refresh: () => this.refresh() });
    return this.client;
  }
}

/** Wires a page's sign-in form (`#username`, `#password`, `#login-button`, and
 *  `#register-button` when the page has one) to `session`: `onSignedIn()` runs once signed in,
 *  `onError(error)` when the server refuses. */
export function signInForm(session, onSignedIn, onError) {
  const $ = (id) => document.getElementById(id);
  const submit = async (path) => {
    try {
      await session.signIn(path, $("username").value, $("password").value);
      await onSignedIn();
    } catch (error) { onError(error); }
  };
  $("login-button").addEventListener("click", () => submit("/auth/login"));
  $("register-button")?.addEventListener("click", () => submit("/auth/register"));
}

/** Shows `notification` ({category, title, body?}) as a toast in `container`: coloured by its
 *  category, text only, dismissed by a click or after six seconds. */
export function toast(container, notification) {
  const box = Object.assign(document.createElement("div"), { className: `toast ${notification.category || "info"}`, role: "status" });
  box.append(Object.assign(document.createElement("strong"), { textContent: notification.title }));
  if (notification.body) box.append(Object.assign(document.createElement("div"), { textContent: notification.body }));
  box.title = "click to dismiss";
  const dismiss = () => box.remove();
  box.addEventListener("click", dismiss);
  setTimeout(dismiss, 6000);
  container.append(box);
}

/** Shows the "reconnecting" banner (`#banner`, `#banner-text`, `#retry-now`) from the client's state. */
export function connectionBanner(client, $) {
  client.on("state", ({ state, attempt, inMs }) => {
    $("status").textContent = { connecting: "connecting…", connected: "connected", reconnecting: "reconnecting…", disconnected: "disconnected" }[state];
    $("banner").classList.toggle("hidden", state !== "reconnecting");
    if (state === "reconnecting") $("banner-text").textContent = `Connection lost. Reconnecting (attempt ${attempt}) in ${Math.ceil(inMs / 1000)} s…`;
  });
  $("retry-now").addEventListener("click", () => client.reconnectNow());
}
