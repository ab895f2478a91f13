// switchboard.js — the browser client of the Switchboard hub (docs/protocol.md).
// A dependency-free ES module: copy this file into your app, or import it from /web/switchboard.js.
// API and examples: docs/client-js.md.

/** An error reply, or a request that could not be answered. `code` is the protocol's error code
 *  (`validation_failed`, `rate_limited`, …) or one of this library's: `timeout` (no reply in time),
 *  `disconnected` (the connection dropped before the reply; the command may or may not have run),
 *  `closed` (the client was closed). */
export class SwitchboardError extends Error {
  constructor(code, message, { field, retryAfterMs, type } = {}) {
    super(message);
    this.name = "SwitchboardError";
    this.code = code;
    if (field !== undefined) this.field = field;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
    if (type !== undefined) this.type = type;
  }
}

/** Opens a client; it connects at once and stays connected until `close()`.
 *  @param {object} options
 *  @param {string} [options.url] the `/ws` URL (default: this page's origin)
 *  @param {() => (string|Promise<string>)} options.getToken the current access token
 *  @param {() => (string|Promise<string>)} [options.refresh] a new access token (app-side: `POST /auth/refresh`)
 *  @param {number} [options.requestTimeoutMs=10000] how long a request waits for its reply
 *  @param {number} [options.minReconnectDelayMs=500] the backoff's first ceiling
 *  @param {number} [options.maxReconnectDelayMs=20000] the backoff's largest ceiling
 *  @param {boolean} [options.retryRateLimited=false] retry `rate_limited` requests after `retryAfterMs`
 */
export function connect(options) {
  return new Switchboard(options);
}

const defaults = { requestTimeoutMs: 10000, minReconnectDelayMs: 500, maxReconnectDelayMs: 20000, retryRateLimited: false };

export class Switchboard {
  constructor(options) {
    if (!options || typeof options.getToken !== "function") throw new TypeError("connect({getToken}) needs a getToken function");
    this.options = { ...defaults, ...options };
    this.url = options.url || defaultURL();
    this.state = "disconnected";
    this.welcome = null;
    this._listeners = new Map();
    this._pending = new Map();      // id -> {resolve, reject, timer, type}
    this._waiting = new Set();      // requests waiting for a connection
    this._subscriptions = new Map(); // topic -> Subscription
    this._nextId = 1;
    this._attempt = 0;
    this._socket = null;
    this._timer = null;
    this._closed = false;
    this._token = null;
    this._notBefore = 0;            // hub.shutdown's reconnectAfterMs
    this._onOnline = () => this._retryNow();
    this._onVisible = () => { if (document.visibilityState === "visible") this._retryNow(); };
    if (typeof window !== "undefined") window.addEventListener("online", this._onOnline);
    if (typeof document !== "undefined") document.addEventListener("visibilitychange", this._onVisible);
    this._open();
  }

  /** Listens for `name`: `state` ({state, attempt?, inMs?, code?}), `connecting`, `connected` (the
   *  welcome), `reconnecting` ({attempt, inMs}), `disconnected` ({code, reason}), `event` (every
   *  server event), `feature` (hub.feature data), `error` (an error reply with no request, re: null).
   *  @returns {() => void} stops listening */
  on(name, listener) {
    if (!this._listeners.has(name)) this._listeners.set(name, new Set());
    this._listeners.get(name).add(listener);
    return () => this._listeners.get(name)?.delete(listener);
  }

  /** Sends a command and resolves with its reply's `data`; rejects with a SwitchboardError.
   *  While the client is (re)connecting the command waits, within its timeout, for the connection. */
  request(type, data = {}, { timeoutMs = this.options.requestTimeoutMs, retryRateLimited = this.options.retryRateLimited } = {}) {
    const deadline = Date.now() + timeoutMs;
    const attempt = async () => {
      try {
        return await this._send(type, data, deadline);
      } catch (error) {
        if (retryRateLimited && error.code === "rate_limited" && Date.now() + (error.retryAfterMs || 0) < deadline) {
          await sleep(error.retryAfterMs || 0);
          return attempt();
        }
        throw error;
      }
    };
    return attempt();
  }

  /** Sends a command without an id: no reply on success; an error arrives as an `error` event. */
  send(type, data = {}) {
    if (this.state !== "connected") return false;
    this._socket.send(JSON.stringify({ type, data }));
    return true;
  }

  /** Subscribes to `topic` and keeps it across reconnects: after a reconnect the events missed
   *  meanwhile are delivered first, once each and in order; when the hub no longer holds them,
   *  `onRecovery({recovered: false})` tells the app to reload its state.
   *  @param {string} topic
   *  @param {{onEvent?: (event) => void, onRecovery?: ({recovered, missed}) => void, onError?: (error) => void}} handlers
   *  @returns {{topic: string, lastSeq: number|null, ready: Promise<object>, unsubscribe: () => Promise<void>}} */
  subscribe(topic, handlers = {}) {
    if (this._subscriptions.has(topic)) throw new SwitchboardError("conflict", `already subscribed to ${topic}`);
    const subscription = new Subscription(this, topic, handlers);
    this._subscriptions.set(topic, subscription);
    subscription.ready = this.state === "connected" ? subscription._resubscribe() : subscription._whenConnected();
    subscription.ready.catch(() => {});
    return subscription;
  }

  /** Reconnects now instead of waiting out the backoff (a "Retry now" button). */
  reconnectNow() { this._retryNow(); }

  /** Closes the connection for good: pending requests fail with `closed`, nothing reconnects. */
  close() {
    this._closed = true;
    clearTimeout(this._timer);
    if (typeof window !== "undefined") window.removeEventListener("online", this._onOnline);
    if (typeof document !== "undefined") document.removeEventListener("visibilitychange", this._onVisible);
    this._failPending(new SwitchboardError("closed", "the client was closed"));
    for (const waiter of this._waiting) waiter.reject(new SwitchboardError("closed", "the client was closed"));
    this._waiting.clear();
    if (this._socket) this._socket.close(1000, "bye");
    this._setState("disconnected", { code: 1000, reason: "closed by the app" });
  }

  // --- connection ---

  async _open() {
    if (this._closed) return;
    this._setState("connecting", { attempt: this._attempt });
    let token;
    try {
      token = await this.options.getToken();
      if (!token || expiresWithin(token, 10000)) token = await this._refreshToken();
    } catch (error) {
      this._scheduleReconnect();
      return;
    }
    if (this._closed) return;
    this._token = token;
    const separator = this.url.includes("?") ? "&" : "?";
    const socket = new WebSocket(`${this.url}${separator}access_token=${encodeURIComponent(token)}`);
    this._socket = socket;
    let opened = false;
    socket.onopen = () => { opened = true; };
    socket.onmessage = (message) => {
      let frame;
      try { frame = JSON.parse(message.data); } catch { return; }
      this._onFrame(frame);
    };
    socket.onclose = (event) => {
      if (this._socket !== socket) return;
      this._socket = null;
      this._failPending(new SwitchboardError("disconnected", "the connection dropped before the reply"));
      for (const subscription of this._subscriptions.values()) subscription._connectionLost();
      if (this._closed) return;
      this._setState("disconnected", { code: event.code, reason: event.reason });
      if (event.code === 4001 || (!opened && token && expiresWithin(token, 0))) {
        // the token expired or was revoked: a new one, then at once
        this._refreshToken().then(() => this._open(), () => this._scheduleReconnect());
        return;
      }
      this._scheduleReconnect();
    };
  }

  async _refreshToken() {
    if (typeof this.options.refresh !== "function") throw new SwitchboardError("unauthorized", "the token expired and there is no refresh");
    const token = await this.options.refresh();
    this._token = token;
    return token;
  }

  _scheduleReconnect() {
    if (this._closed) return;
    this._attempt += 1;
    const ceiling = Math.min(this.options.maxReconnectDelayMs, this.options.minReconnectDelayMs * 2 ** (this._attempt - 1));
    const jitter = Math.random() * ceiling; // full jitter: spreads a thousand clients after a restart
    const inMs = Math.round(Math.max(jitter, this._notBefore - Date.now()));
    this._notBefore = 0;
    this._setState("reconnecting", { attempt: this._attempt, inMs });
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._open(), inMs);
  }

  _retryNow() {
    if (this._closed || this.state !== "reconnecting") return;
    clearTimeout(this._timer);
    this._open();
  }

  _onFrame(frame) {
    if ("re" in frame) {
      const waiter = frame.re === null ? undefined : this._pending.get(frame.re);
      if (!waiter) {
        if (!frame.ok) this._emit("error", errorFrom(frame.error));
        return;
      }
      this._pending.delete(frame.re);
      clearTimeout(waiter.timer);
      frame.ok ? waiter.resolve(frame.data ?? {}) : waiter.reject(errorFrom(frame.error, waiter.type));
      return;
    }
    switch (frame.type) {
      case "hub.welcome":
        this.welcome = frame.data;
        this._attempt = 0;
        this._setState("connected", frame.data);
        for (const waiter of this._waiting) waiter.resolve();
        this._waiting.clear();
        for (const subscription of this._subscriptions.values()) {
          subscription.ready = subscription._resubscribe();
          subscription.ready.catch(() => {});
        }
        break;
      case "hub.token_expiring":
        this._refreshToken()
          .then((token) => this.request("hub.auth", { accessToken: token }))
          .catch((error) => this._emit("error", error));
        break;
      case "hub.shutdown":
        this._notBefore = Date.now() + (frame.data?.reconnectAfterMs ?? 0);
        break;
      case "hub.feature":
        this._emit("feature", frame.data);
        break;
    }
    const subscription = frame.topic ? this._subscriptions.get(frame.topic) : undefined;
    if (subscription && !subscription._accept(frame)) return;
    this._emit("event", frame);
  }

  async _send(type, data, deadline) {
    if (this._closed) throw new SwitchboardError("closed", "the client was closed");
    if (this.state !== "connected") await this._connected(deadline, type);
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new SwitchboardError("timeout", `no reply to ${type} in time`, { type }));
      }, Math.max(0, deadline - Date.now()));
      this._pending.set(id, { resolve, reject, timer, type });
      this._socket.send(JSON.stringify({ id, type, data }));
    });
  }

  _connected(deadline, type) {
    return new Promise((resolve, reject) => {
      const waiter = { resolve: () => { clearTimeout(timer); resolve(); }, reject: (error) => { clearTimeout(timer); reject(error); } };
      const timer = setTimeout(() => {
        this._waiting.delete(waiter);
        reject(new SwitchboardError("timeout", `not connected in time for ${type}`, { type }));
      }, Math.max(0, deadline - Date.now()));
      this._waiting.add(waiter);
    });
  }

  _failPending(error) {
    for (const waiter of this._pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new SwitchboardError(error.code, error.message, { type: waiter.type }));
    }
    this._pending.clear();
  }

  _setState(state, detail = {}) {
    this.state = state;
    this._emit("state", { state, ...detail });
    this._emit(state, detail);
  }

  _emit(name, value) {
    for (const listener of this._listeners.get(name) ?? []) {
      try { listener(value); } catch (error) { setTimeout(() => { throw error; }); }
    }
  }
}

/** One topic the client keeps subscribed. */
class Subscription {
  constructor(client, topic, handlers) {
    this.client = client;
    this.topic = topic;
    this.handlers = handlers;
    this.lastSeq = null;
    this.active = true;
    this._buffer = null; // live events that arrive while the (re)subscribe is answered
  }

  /** Stops the subscription (and tells the hub, when connected). */
  async unsubscribe() {
    this.active = false;
    this.client._subscriptions.delete(this.topic);
    if (this.client.state === "connected") await this.client.request("hub.unsubscribe", { topic: this.topic });
  }

  async _whenConnected() {
    await new Promise((resolve) => {
      const stop = this.client.on("connected", () => { stop(); resolve(); });
    });
    return this.ready;
  }

  async _resubscribe() {
    this._buffer = [];
    const data = { topic: this.topic };
    if (this.lastSeq !== null) data.since = this.lastSeq;
    let reply;
    try {
      reply = await this.client.request("hub.subscribe", data);
    } catch (error) {
      this._buffer = null;
      if (error.code !== "disconnected" && error.code !== "closed") this.handlers.onError?.(error);
      throw error;
    }
    if (!this.active) return reply;
    const buffered = this._buffer;
    this._buffer = null;
    if (this.lastSeq !== null) {
      if (reply.recovered) {
        for (const event of reply.missed) this._deliver(event);
      } else {
        this.lastSeq = reply.seq;
      }
      this.handlers.onRecovery?.({ recovered: reply.recovered, missed: reply.recovered ? reply.missed.length : null });
    } else {
      this.lastSeq = reply.seq;
    }
    for (const event of buffered) this._deliver(event);
    return reply;
  }

  _connectionLost() { this._buffer = null; }

  /** Called for a live event of this topic; false when it must not reach `event` listeners. */
  _accept(event) {
    if (!this.active) return true;
    if (this._buffer) { this._buffer.push(event); return false; }
    return this._deliver(event);
  }

  _deliver(event) {
    if (event.seq !== undefined) {
      if (this.lastSeq !== null && event.seq <= this.lastSeq) return false; // seen already
      this.lastSeq = event.seq;
    }
    this.handlers.onEvent?.(event);
    return true;
  }
}

function errorFrom(error = {}, type) {
  return new SwitchboardError(error.code || "internal", error.message || "unknown error",
    { field: error.field, retryAfterMs: error.retryAfterMs, type });
}

function defaultURL() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

/** Whether the JWT `token` expires within `ms` (its `exp` claim; not a verification). */
function expiresWithin(token, ms) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return typeof payload.exp === "number" && payload.exp * 1000 - Date.now() <= ms;
  } catch {
    return false;
  }
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
