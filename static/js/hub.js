// The one client of the Plenária websocket protocol (docs/protocol.md), used by every page.
//
// - connects to /ws, says hello with a device id kept in localStorage (and a staff token if any);
// - keeps per channel {epoch, seq}, applies snapshot and event frames into `hub.state[kind]`,
//   detects gaps (seq not last+1) and reconnects with `resume`;
// - reconnects by itself with backoff and jitter, pings every 25 s, estimates the server clock;
// - `send(type, fields)` gives each command an id, keeps it until answered and resends it with the
//   same id after a reconnect (the server applies an id once); `persist: true` keeps it in
//   localStorage too, so a message typed before a reload or a crash is still delivered.
//
// Pages subscribe with `hub.on(name, fn)`: "status", "welcome", "change" (any state change,
// coalesced per animation frame), "event" (each event frame), "health", "fatal".

import { COMMANDS } from "./commands.js";

const PING_EVERY_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 20_000;
const RETRY_CODES = new Set(["unavailable", "store_unavailable", "broker_unavailable", "rate_limited"]);
const FATAL_CLOSE = { 4401: "invalid_token", 4403: "invalid_token", 4404: "event_not_found" };

function randomId(length) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += alphabet[b & 63];
  return out;
}

/** localStorage that degrades to memory (private browsing, storage disabled). */
export const storage = (() => {
  const memory = new Map();
  let local = null;
  try {
    local = window.localStorage;
    local.setItem("plenaria.probe", "1");
    local.removeItem("plenaria.probe");
  } catch {
    local = null;
  }
  return {
    get(key) {
      try { return local ? local.getItem(key) : (memory.get(key) ?? null); } catch { return memory.get(key) ?? null; }
    },
    set(key, value) {
      try { if (local) { local.setItem(key, value); return; } } catch { /* quota: keep in memory */ }
      memory.set(key, value);
    },
    remove(key) {
      try { if (local) local.removeItem(key); } catch { /* ignore */ }
      memory.delete(key);
    },
  };
})();

/** The device id: random, 22 characters of [A-Za-z0-9_-], the same for every page of this browser. */
export function deviceId() {
  let id = storage.get("plenaria.device");
  if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
    id = randomId(22);
    storage.set("plenaria.device", id);
  }
  return id;
}

/** The join code from the page path (/e/CODE, /screen/CODE, ...), upper-cased. */
export function codeFromPath() {
  const parts = location.pathname.split("/").filter(Boolean);
  return (parts[1] || "").toUpperCase();
}

export class HubError extends Error {
  constructor(code, message, details) {
    super(message || code);
    this.code = code;
    this.details = details || {};
  }
}

// Reducers: how each event changes the state of its channel. Features register theirs
// with `registerReducer(name, fn)`; an event without a reducer is only dispatched.
const reducers = new Map();

export function registerReducer(name, fn) {
  reducers.set(name, fn);
}

/** Insert or replace `item` (by `id`) in `list`; returns the list. */
export function upsert(list, item, key = "id") {
  const index = list.findIndex((x) => x[key] === item[key]);
  if (index >= 0) list[index] = { ...list[index], ...item };
  else list.push(item);
  return list;
}

function liveSessionOf(agenda) {
  const live = agenda.find((s) => s.status === "live");
  return live ? live.id : null;
}

registerReducer("event.updated", (state, data) => { state.event = data; });
registerReducer("session.updated", (state, data) => {
  state.agenda = upsert(state.agenda || [], data);
  state.agenda.sort((a, b) => a.position - b.position || a.id - b.id);
  state.live_session = liveSessionOf(state.agenda);
});
registerReducer("session.removed", (state, data) => {
  state.agenda = (state.agenda || []).filter((s) => s.id !== data.id);
  state.live_session = liveSessionOf(state.agenda);
});
registerReducer("screen.updated", (state, data) => { state.screen = data; });
registerReducer("presence.updated", (state, data) => { state.presence = data; });
registerReducer("staff.revoked", (state, data) => {
  for (const s of state.staff || []) if (s.id === data.id) s.revoked = true;
});

export class Hub {
  /**
   * @param {object} options
   * @param {string} options.event  join code
   * @param {string} [options.token]  staff token or organizer secret
   * @param {string} [options.lang]  the page's language, sent in hello
   */
  constructor({ event, token = "", lang = "" }) {
    this.event = event;
    this.token = token;
    this.lang = lang;
    this.device = deviceId();
    this.state = { public: null, staff: null };
    this.positions = new Map(); // ch -> {epoch, seq}
    this.role = null;
    this.participant = null;
    this.status = "connecting"; // connecting | online | offline | fatal
    this.fatal = null;
    this.health = "ok";
    this.offsetMs = 0; // server clock minus ours
    this._bestRtt = Infinity;
    this._listeners = new Map();
    this._pending = new Map(); // id -> {frame, resolve, reject, persist, tries}
    this._prefix = randomId(6);
    this._counter = 0;
    this._socket = null;
    this._attempt = 0;
    this._timers = {};
    this._changed = null;
    this._outboxKey = `plenaria.outbox.${event}.${token ? "staff" : "p"}`;
    this._loadOutbox();
    window.addEventListener("online", () => this._reconnectSoon(0));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.status === "offline") this._reconnectSoon(0);
    });
  }

  // -- subscriptions -------------------------------------------------------

  on(name, fn) {
    if (!this._listeners.has(name)) this._listeners.set(name, new Set());
    this._listeners.get(name).add(fn);
    return () => this._listeners.get(name).delete(fn);
  }

  _emit(name, detail) {
    for (const fn of this._listeners.get(name) || []) {
      try { fn(detail); } catch (err) { console.error(err); }
    }
  }

  _changedSoon(detail) {
    if (this._changed) { this._changed.push(detail); return; }
    this._changed = [detail];
    const flush = () => {
      const batch = this._changed;
      this._changed = null;
      this._emit("change", batch);
    };
    if (document.visibilityState === "hidden") setTimeout(flush, 50);
    else requestAnimationFrame(flush);
  }

  /** Tell the page the state changed locally (an optimistic update): re-render soon. */
  touch(name = "local") {
    this._changedSoon({ kind: "public", name });
  }

  // -- time --------------------------------------------------------------

  /** Server time in UNIX seconds (our clock corrected by the measured offset). */
  now() {
    return (Date.now() + this.offsetMs) / 1000;
  }

  // -- connection --------------------------------------------------------

  connect() {
    if (this.fatal) return;
    clearTimeout(this._timers.reconnect);
    this._stopPing();
    const old = this._socket;
    if (old) {
      this._socket = null;
      try { old.close(4000, "reconnect"); } catch { /* already closed */ }
    }
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let socket;
    try {
      socket = new WebSocket(`${scheme}//${location.host}/ws`);
    } catch {
      this._lost();
      return;
    }
    this._socket = socket;
    this._welcomed = false;
    socket.addEventListener("open", () => {
      if (socket !== this._socket) return;
      const hello = { type: "hello", event: this.event, device: this.device };
      if (this.token) hello.token = this.token;
      if (this.lang) hello.lang = this.lang;
      const resume = [...this.positions].map(([ch, p]) => ({ ch, epoch: p.epoch, seq: p.seq }));
      if (resume.length) hello.resume = resume;
      this._helloAt = Date.now();
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", (e) => {
      if (socket !== this._socket) return;
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      this._receive(frame);
    });
    socket.addEventListener("close", (e) => {
      if (socket !== this._socket) return;
      this._socket = null;
      this._stopPing();
      const fatal = FATAL_CLOSE[e.code] || (e.code === 1008 && this._refusal) || null;
      if (fatal) this.fail(fatal);
      else this._lost();
    });
  }

  /** Close the connection on purpose (tests, leaving the page); `reconnect` schedules a new one. */
  drop(reconnect = true) {
    const socket = this._socket;
    if (socket) {
      this._socket = null;
      this._stopPing();
      try { socket.close(); } catch { /* ignore */ }
    }
    if (reconnect) this._lost();
  }

  _lost() {
    this._welcomed = false;
    this._setStatus("offline");
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this._attempt) * (0.5 + Math.random() * 0.5);
    this._attempt = Math.min(this._attempt + 1, 8);
    this._reconnectSoon(delay);
  }

  _reconnectSoon(delay) {
    if (this.fatal) return;
    clearTimeout(this._timers.reconnect);
    this._timers.reconnect = setTimeout(() => this.connect(), delay);
  }

  /** Stop for good (a refused link, an unknown event): no more reconnects. */
  fail(code, message) {
    this.fatal = { code, message: message || "" };
    this._setStatus("fatal");
    clearTimeout(this._timers.reconnect);
    this._stopPing();
    for (const entry of this._pending.values()) entry.reject(new HubError(code, message));
    this._pending.clear();
    this._emit("fatal", this.fatal);
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this._emit("status", status);
  }

  _send(frame) {
    const socket = this._socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  _startPing() {
    this._stopPing();
    this._timers.ping = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  _stopPing() {
    clearInterval(this._timers.ping);
    clearTimeout(this._timers.pong);
  }

  /** Send an application ping; a missing pong within 10 s means a dead link: reconnect. */
  ping() {
    if (!this._send({ type: "ping", t: Date.now() / 1000 })) return;
    clearTimeout(this._timers.pong);
    this._timers.pong = setTimeout(() => this.drop(true), PONG_TIMEOUT_MS);
  }

  _clock(serverSeconds, sentMs) {
    const now = Date.now();
    const rtt = now - sentMs;
    if (rtt < 0 || rtt > 30_000) return;
    // Keep the sample with the smallest round trip: its midpoint is the most exact.
    if (rtt <= this._bestRtt * 1.5 || rtt < 100) {
      this._bestRtt = Math.min(this._bestRtt, rtt);
      this.offsetMs = serverSeconds * 1000 - (sentMs + now) / 2;
    }
  }

  // -- frames ------------------------------------------------------------

  _receive(frame) {
    switch (frame.type) {
      case "welcome":
        this._welcomed = true;
        this._attempt = 0;
        this._refusal = null;
        this.role = frame.role;
        this.participant = frame.participant;
        this.eventId = frame.event_id;
        this.limits = frame.limits || {};
        if (this._helloAt) this._clock(frame.server_time, this._helloAt);
        this._setStatus("online");
        this._startPing();
        this._emit("welcome", frame);
        this._resendPending();
        break;
      case "snapshot":
        this.positions.set(frame.ch, { epoch: frame.epoch, seq: frame.seq });
        this.state[kindOf(frame.ch)] = frame.state;
        if (frame.state && frame.state.health) this._setHealth(frame.state.health.broker);
        this._changedSoon({ kind: kindOf(frame.ch), name: "snapshot" });
        break;
      case "event":
        this._event(frame);
        break;
      case "ack":
      case "error":
        this._answer(frame);
        break;
      case "pong":
        clearTimeout(this._timers.pong);
        if (typeof frame.t === "number") this._clock(frame.server_time, frame.t * 1000);
        break;
      case "bye":
        this.bye = frame;
        this._emit("bye", frame);
        break;
      case "health":
        this._setHealth(frame.broker);
        break;
      default:
        this._emit("frame", frame);
    }
  }

  _setHealth(broker) {
    if (this.health === broker) return;
    this.health = broker;
    this._emit("health", broker);
  }

  _event(frame) {
    const position = this.positions.get(frame.ch);
    if (!position || position.epoch !== frame.epoch || frame.seq > position.seq + 1) {
      // A gap (or an unknown epoch): what we hold is no longer exact. Reconnect with our
      // last position; the server sends what we missed, or a fresh snapshot.
      this.connect();
      return;
    }
    if (frame.seq <= position.seq) return; // already applied
    position.seq = frame.seq;
    const kind = kindOf(frame.ch);
    const state = this.state[kind] || (this.state[kind] = {});
    const reduce = reducers.get(frame.name);
    if (reduce) {
      try { reduce(state, frame.data, this); } catch (err) { console.error(frame.name, err); }
    }
    this._emit("event", { kind, name: frame.name, data: frame.data });
    this._changedSoon({ kind, name: frame.name, data: frame.data });
  }

  _answer(frame) {
    if (frame.type === "error" && frame.id == null) {
      // A refusal of the connection itself (bad hello, unknown event, revoked link).
      this._refusal = frame.code;
      if (frame.code === "event_not_found" || frame.code === "invalid_token") this.fail(frame.code, frame.message);
      else this._emit("error", frame);
      return;
    }
    const entry = this._pending.get(frame.id);
    if (!entry) return;
    if (frame.type === "error" && RETRY_CODES.has(frame.code) && entry.tries < 6) {
      entry.tries += 1;
      const wait = frame.code === "rate_limited"
        ? Math.ceil(((frame.details && frame.details.retry_after) || 1) * 1000)
        : 1000 * entry.tries;
      setTimeout(() => { if (this._pending.has(frame.id)) this._send(entry.frame); }, wait);
      return;
    }
    this._pending.delete(frame.id);
    if (entry.persist) this._saveOutbox();
    if (frame.type === "ack") entry.resolve(frame.result || {});
    else entry.reject(new HubError(frame.code, frame.message, frame.details));
  }

  // -- commands ----------------------------------------------------------

  /**
   * Send a command; resolves with the ack's `result`, rejects with a HubError(code).
   * Unanswered commands are resent with the same id after a reconnect. With `persist`,
   * the command also survives a reload (kept in localStorage until answered).
   */
  send(type, fields = {}, { persist = false } = {}) {
    // A name the server does not declare would only come back as `unknown_type`: refuse it here.
    if (!Object.hasOwn(COMMANDS, type)) return Promise.reject(new HubError("unknown_type", type));
    const id = `${this._prefix}-${++this._counter}`;
    const frame = { ...fields, type, id };
    return this._track(frame, persist);
  }

  _track(frame, persist) {
    return new Promise((resolve, reject) => {
      if (this.fatal) { reject(new HubError(this.fatal.code)); return; }
      this._pending.set(frame.id, { frame, resolve, reject, persist, tries: 0 });
      if (persist) this._saveOutbox();
      if (this._welcomed) this._send(frame);
    });
  }

  /** Commands sent but not yet answered, oldest first (a page shows them as "sending"). */
  pending(type) {
    return [...this._pending.values()].map((e) => e.frame).filter((f) => !type || f.type === type);
  }

  _resendPending() {
    for (const entry of this._pending.values()) this._send(entry.frame);
  }

  _saveOutbox() {
    const frames = [...this._pending.values()].filter((e) => e.persist).map((e) => e.frame);
    if (frames.length) storage.set(this._outboxKey, JSON.stringify(frames));
    else storage.remove(this._outboxKey);
  }

  _loadOutbox() {
    let frames = [];
    try { frames = JSON.parse(storage.get(this._outboxKey) || "[]"); } catch { frames = []; }
    for (const frame of Array.isArray(frames) ? frames : []) {
      if (!frame || typeof frame.id !== "string" || typeof frame.type !== "string") continue;
      // Answers come back to `outboxAnswers` listeners: the page that sent them is gone.
      this._track(frame, true).then(
        (result) => this._emit("outbox", { frame, result }),
        (error) => this._emit("outbox", { frame, error }),
      );
    }
  }
}

export function kindOf(ch) {
  return ch.slice(ch.lastIndexOf(":") + 1);
}
