// The live session socket: connect, reconnect with backoff, keep events in seq order (sync on a
// gap, a `resync` or a reconnect), keep presence alive, and queue messages while offline. The server is
// idempotent by `ref`, so a message resent after a reconnect is recorded once.
//
// Gaps (docs/protocol.md): a facilitator is sent every event, so the next one has seq = cursor + 1; anyone
// else is sent only the public events, each naming the public one before it (`prev`), so prev <= cursor.

import { newRef } from "./dom.js";

const PING_EVERY = 25000;
const REPLY_WITHIN = 20000;
const MAX_BACKOFF = 30000;
const MAX_FRAME_BYTES = 16 * 1024; // the server's limit (protocol.MAX_FRAME_BYTES): a larger frame drops the socket
// Close codes after which reconnecting cannot help: the page says why and stops.
const FINAL_CLOSES = new Map([
  [4403, "refused"], // not allowed to watch this session (or a room-screen key that no longer works)
  [4401, "signed_out"], // the user signed out (or was deactivated) in another tab
  [4429, "throttled"], // too many wrong join codes from this address
]);

export class LiveSocket {
  /**
   * code: the session's join code. Callbacks: onSnapshot(payload, seq), onEvent(event),
   * onPresence(counts), onStatus(status, waiting) where status is one of
   * connecting | connected | reconnecting | offline | refused | signed_out | throttled.
   */
  constructor({ code, key = "", onSnapshot, onEvent, onPresence = () => {}, onStatus = () => {} }) {
    this.code = code;
    this.key = key;
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    this.onPresence = onPresence;
    this.onStatus = onStatus;
    this.lastSeq = -1; // the cursor: the highest seq applied
    this.facilitator = false; // this socket is sent every event (else only the public ones)
    this.ready = false; // a snapshot has been applied on the current socket
    this.syncing = null; // ref of the sync in flight
    this.syncAgain = false; // told to resync while a sync was in flight: sync again after it
    this.buffer = []; // events held back while a sync is in flight
    this.pending = new Map(); // ref -> {frame, resolve, reject}
    this.internal = new Map(); // ref -> handler for sync/ping replies
    this.attempt = 0;
    this.status = "connecting";
    this.ws = null;
    this.timer = null;
    this.awaiting = 0;
    this.refused = false;
    this.refreshTimer = 0;
  }

  start() {
    window.addEventListener("offline", () => this.goOffline());
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && !this.isOpen()) this.reconnectNow();
    });
    window.setInterval(() => this.heartbeat(), 5000);
    this.connect();
  }

  isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  get waiting() {
    return this.pending.size;
  }

  setStatus(status) {
    this.status = status;
    this.onStatus(status, this.waiting);
  }

  url() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    // The page's language, so the server's error messages come back in it.
    const params = new URLSearchParams({ lang: document.documentElement.lang.startsWith("cy") ? "cy" : "en" });
    if (this.key) params.set("key", this.key);
    return `${scheme}//${window.location.host}/ws/sessions/${encodeURIComponent(this.code)}/?${params}`;
  }

  connect() {
    window.clearTimeout(this.timer);
    this.timer = null;
    if (this.refused) return;
    if (navigator.onLine === false) {
      this.setStatus("offline");
      return;
    }
    this.ready = false;
    this.syncing = null;
    this.syncAgain = false;
    this.buffer = [];
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("message", (e) => {
      if (ws === this.ws) this.receive(e.data);
    });
    ws.addEventListener("close", (e) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.ready = false;
      if (FINAL_CLOSES.has(e.code)) {
        this.refused = true;
        this.setStatus(FINAL_CLOSES.get(e.code));
        return;
      }
      this.scheduleReconnect();
    });
  }

  scheduleReconnect() {
    if (this.refused || this.timer) return;
    if (navigator.onLine === false) {
      this.setStatus("offline");
      return;
    }
    this.setStatus("reconnecting");
    const base = Math.min(MAX_BACKOFF, 1000 * 2 ** this.attempt);
    this.attempt += 1;
    this.timer = window.setTimeout(() => {
      this.timer = null;
      this.connect();
    }, base * (0.5 + Math.random() / 2));
  }

  reconnectNow() {
    if (this.refused || this.isOpen()) return;
    this.attempt = 0;
    window.clearTimeout(this.timer);
    this.timer = null;
    if (this.ws) {
      const old = this.ws;
      this.ws = null;
      old.close();
    }
    this.connect();
  }

  goOffline() {
    this.setStatus("offline");
    if (this.ws) {
      const old = this.ws;
      this.ws = null;
      this.ready = false;
      old.close();
    }
  }

  /** Close a socket that stopped answering; the close handler reconnects and resends. */
  heartbeat() {
    if (this.awaiting && Date.now() - this.awaiting > REPLY_WITHIN && this.ws) {
      this.awaiting = 0;
      const old = this.ws;
      this.ws = null;
      old.close();
      this.scheduleReconnect();
      return;
    }
    if (this.ready && Date.now() - (this.lastPing || 0) >= PING_EVERY) {
      this.lastPing = Date.now();
      // The reply carries the session's latest seq: events lost on the way are noticed even in a quiet room.
      this.sendInternal({ type: "ping" }, (reply) => {
        const seq = reply.payload && reply.payload.seq;
        if (reply.type === "ack" && typeof seq === "number" && seq > this.lastSeq) this.requestSync();
      });
    }
  }

  raw(frame) {
    if (!this.isOpen()) return false;
    if (!this.awaiting) this.awaiting = Date.now();
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  sendInternal(frame, handler) {
    const ref = newRef();
    this.internal.set(ref, handler);
    if (!this.raw({ ...frame, ref })) this.internal.delete(ref);
    return ref;
  }

  /**
   * Send a protocol message; resolves with the ack payload, rejects with {code, message}.
   * While the socket is down the message waits and is sent on reconnect.
   */
  send(type, payload, { ref = newRef(), tooLargeMessage = "" } = {}) {
    return new Promise((resolve, reject) => {
      const frame = { type, ref, payload };
      // Refused here, not queued: an oversized frame would drop the socket on every resend.
      if (new TextEncoder().encode(JSON.stringify(frame)).length > MAX_FRAME_BYTES) {
        reject({ code: "too_large", message: tooLargeMessage });
        return;
      }
      this.pending.set(ref, { frame, resolve, reject });
      if (this.ready) this.raw(frame);
      this.onStatus(this.status, this.waiting);
    });
  }

  receive(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    this.awaiting = 0;
    const { type } = message;
    if (type === "state") {
      this.applySnapshot(message);
      this.attempt = 0;
      this.setStatus("connected");
      // Events committed while this socket was subscribing are fetched at once, not at the next gap.
      this.requestSync();
      for (const { frame } of this.pending.values()) this.raw(frame);
      return;
    }
    if (type === "ack" || type === "error") {
      this.reply(message);
      return;
    }
    if (type === "resync") {
      // The server dropped events for this socket (it fell behind): catch up from the log.
      if (this.ready) this.requestSync();
      return;
    }
    if (type === "presence") {
      this.onPresence(message.payload || {});
      return;
    }
    if (typeof message.seq === "number") this.event(message);
  }

  reply(message) {
    const { ref } = message;
    if (this.internal.has(ref)) {
      const handler = this.internal.get(ref);
      this.internal.delete(ref);
      handler(message);
      return;
    }
    const waiting = this.pending.get(ref);
    if (!waiting) return;
    this.pending.delete(ref);
    if (message.type === "ack") waiting.resolve(message.payload || {});
    else waiting.reject({ code: message.code, message: message.message });
    this.onStatus(this.status, this.waiting);
  }

  applySnapshot(state) {
    this.lastSeq = state.seq;
    this.facilitator = Boolean(state.payload && state.payload.viewer && state.payload.viewer.facilitator);
    this.ready = true;
    this.onSnapshot(state.payload, state.seq);
  }

  event(message) {
    if (!this.ready || this.syncing) {
      this.buffer.push(message);
      return;
    }
    if (message.seq <= this.lastSeq) return; // already in the snapshot or replayed
    if (!this.follows(message)) {
      this.buffer.push(message);
      this.requestSync();
      return;
    }
    this.apply(message);
  }

  /** Whether nothing this socket is sent lies between the cursor and this event. */
  follows(message) {
    if (this.facilitator || typeof message.prev !== "number") return message.seq === this.lastSeq + 1;
    return message.prev <= this.lastSeq;
  }

  apply(message) {
    this.lastSeq = message.seq;
    this.onEvent(message);
  }

  requestSync() {
    if (!this.isOpen()) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    const after = this.lastSeq;
    this.syncing = this.sendInternal({ type: "sync", after }, (reply) => {
      this.syncing = null;
      if (reply.type === "ack") {
        const payload = reply.payload || {};
        if (payload.snapshot) this.applySnapshot(payload.snapshot);
        // The replay is every event of this viewer's stream after the cursor, in order; it also says which
        // stream that is now (a role can change mid-session).
        if (typeof payload.facilitator === "boolean") this.facilitator = payload.facilitator;
        for (const event of payload.events || []) {
          if (event.seq > this.lastSeq) this.apply(event);
        }
      }
      this.synced();
    });
  }

  /** After a sync's reply: apply the events held meanwhile, and sync again if told to resync meanwhile. */
  synced() {
    const again = this.syncAgain;
    this.syncAgain = false;
    this.drain();
    if (again && !this.syncing) this.requestSync();
  }

  /**
   * Ask for a fresh snapshot (figures only the server works out, or this viewer's own rights after a change),
   * a quarter of a second after the first ask so a burst of events brings one. Events arriving meanwhile
   * wait, then apply after it; on a closed socket nothing is sent (the reconnect brings a snapshot anyway).
   */
  refresh() {
    if (this.refreshTimer) return;
    this.refreshTimer = window.setTimeout(() => {
      this.refreshTimer = 0;
      if (!this.isOpen()) return;
      if (this.syncing) {
        this.refresh();
        return;
      }
      this.syncing = this.sendInternal({ type: "sync", after: -1 }, (reply) => {
        this.syncing = null;
        if (reply.type === "ack" && reply.payload && reply.payload.snapshot) this.applySnapshot(reply.payload.snapshot);
        this.synced();
      });
    }, 250);
  }

  drain() {
    const held = this.buffer.sort((a, b) => a.seq - b.seq);
    this.buffer = [];
    for (const message of held) this.event(message);
  }
}

/** Show a LiveSocket status in the page's connection indicator. */
export function showStatus(indicator, t, status, waiting) {
  if (!indicator) return;
  indicator.dataset.state = status;
  const text = indicator.querySelector(".connection__text");
  let words = t(`conn_${status}`);
  if (waiting && status !== "connected") words += ` ${t("conn_waiting", { n: waiting })}`;
  text.textContent = words;
}
