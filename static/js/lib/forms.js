// What the live pages share about their forms and the round's clock: sending a form's message over the
// socket once, saying how it went, and counting down to a round's close.

import { announce, clock, newRef, setText, ukWhen } from "./dom.js";

// A round closing further off than this shows its date and the days left ("Closes in 12 days"), not a countdown.
export const LONG_ROUND_SECONDS = 2 * 24 * 3600;

/** Say in `el` how a form went (an error is styled as one). */
export function feedback(el, text, error = false) {
  if (!el) return;
  el.classList.toggle("form-feedback--error", error);
  el.textContent = text;
}

/**
 * Send a form's message; resolves with the ack payload, rejects with {code, message}. A second press of the
 * same thing while the first is on its way reuses its ref, so the server records it once; anything different
 * (the next paper slip typed meanwhile) is a new message with a new ref. `say` tells the person it is queued.
 */
export async function sendForm(socket, t, form, action, payload, say) {
  const text = JSON.stringify(payload);
  const ref = (form.dataset.pendingPayload === text && form.dataset.pendingRef) || newRef();
  form.dataset.pendingRef = ref;
  form.dataset.pendingPayload = text;
  if (!socket.ready) say(t("queued"));
  try {
    return await socket.send(action, payload, { ref, tooLargeMessage: t("too_large") });
  } finally {
    if (form.dataset.pendingRef === ref) delete form.dataset.pendingRef;
  }
}

/**
 * The open round's countdown in a page's timer element. The server closes an auto-closing round; a page only
 * shows the time, says "one minute left" and "time is up" once each, and (given a socket) asks for the close
 * every few seconds once time is up instead of waiting for the next heartbeat (the worker may run elsewhere).
 * Options: autoKey, the words for an auto-closing round's time left; upKey, for time up on one that is not;
 * warnLate, say "one minute left" once per round, even when the page first sees it with less than a minute to go;
 * sayUp, announce time up.
 */
export class Countdown {
  constructor({ t, announcer, socket = null, autoKey = "closes_in", upKey = "time_up", warnLate = false, sayUp = true }) {
    Object.assign(this, { t, announcer, socket, autoKey, upKey, warnLate, sayUp });
    this.last = null; // [round id, seconds left at the previous tick]: announcements happen on crossings only
    this.warned = new Set(); // round ids told "one minute left" (warnLate)
    this.lastSync = 0;
  }

  /** Show `round`'s time left in `el`, or hide `el` (if any) when there is no round or it has no timer. */
  show(el, round) {
    if (!round || !round.closes_at) {
      if (el) el.hidden = true;
      this.last = null;
      return;
    }
    const t = this.t;
    const left = (Date.parse(round.closes_at) - Date.now()) / 1000;
    const up = round.auto_close ? t("time_up_auto") : t(this.upKey);
    el.hidden = false;
    if (left >= LONG_ROUND_SECONDS) {
      // A round open for days or weeks: its closing date, UK time, and the whole days left.
      el.classList.remove("timer--low");
      setText(el, t("closes_in_days", { n: Math.floor(left / 86400), when: ukWhen(round.closes_at, t) }));
      this.last = [round.id, left];
      return;
    }
    el.classList.toggle("timer--low", left <= 60);
    setText(el, left > 0 ? t(round.auto_close ? this.autoKey : "closes_in", { time: clock(left, t) }) : up);
    const before = this.last && this.last[0] === round.id ? this.last[1] : null;
    const warn = this.warnLate ? !this.warned.has(round.id) : before !== null && before > 60;
    if (warn && left <= 60 && left > 0) {
      this.warned.add(round.id);
      announce(this.announcer, t("one_minute"));
    }
    if (this.sayUp && before !== null && before > 0 && left <= 0) announce(this.announcer, up);
    this.last = [round.id, left];
    if (this.socket && left <= 0 && round.auto_close && Date.now() - this.lastSync >= 2000) {
      this.lastSync = Date.now();
      this.socket.requestSync();
    }
  }
}
