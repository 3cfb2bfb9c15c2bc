// DOM helpers shared by the live pages: translated strings taken from the page, <template>
// cloning and polite announcements. User data only ever goes in through textContent.

/** Translated strings rendered by Django into <template id="strings"> as [data-key] elements. */
export function loadStrings(doc = document) {
  const map = {};
  const holder = doc.getElementById("strings");
  if (holder) {
    for (const el of holder.content.querySelectorAll("[data-key]")) map[el.dataset.key] = el.textContent.trim();
  }
  return (key, params = {}) => format(map[key] ?? key, params);
}

/** Fill {name} placeholders (the templates render Django's %(name)s as {name}). */
export function format(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** A fresh copy of the first element inside <template id="...">. */
export function clone(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

/** The element marked data-slot="name" inside root (or root itself). */
export function slot(root, name) {
  if (root.dataset && root.dataset.slot === name) return root;
  return root.querySelector(`[data-slot="${name}"]`);
}

/** Set the text of a slot; hide it when the text is empty (unless keep is true). */
export function fill(root, name, text, keep = false) {
  const el = slot(root, name);
  if (!el) return null;
  el.textContent = text ?? "";
  if (!keep) el.hidden = !text;
  return el;
}

/** Complete the ids of a cloned template: ids and references ending in "-" get the suffix. */
export function uniqueIds(root, suffix) {
  const attrs = ["id", "for", "aria-describedby", "aria-labelledby", "aria-controls"];
  for (const el of [root, ...root.querySelectorAll("*")]) {
    for (const attr of attrs) {
      const value = el.getAttribute(attr);
      if (value) el.setAttribute(attr, value.split(" ").map((v) => (v.endsWith("-") ? v + suffix : v)).join(" "));
    }
  }
  return root;
}

/** Set text only when it changes (no needless mutations under a screen reader). */
export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

/** Announce a message politely in an aria-live region (cleared first so repeats are read too). */
export function announce(region, text) {
  if (!region || !text) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = text;
  }, 50);
}

/** A random client reference for a message (idempotency key); works on plain http too. */
export function newRef() {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The fields of a form as a plain object (last value wins; empty strings kept). */
export function formFields(form) {
  const data = {};
  for (const [key, value] of new FormData(form)) data[key] = typeof value === "string" ? value : "";
  return data;
}

/**
 * Make `nodes` the children of `parent`, in order, moving only what is out of place (so nothing flickers
 * and a screen reader hears no needless change). A focused node that had to move keeps the focus unless
 * keepFocus is false (the ranked ballot restores focus itself, scrolling to it).
 */
export function placeInOrder(parent, nodes, { keepFocus = true } = {}) {
  const focused = document.activeElement;
  nodes.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] || null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild.remove();
  if (keepFocus && focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
}

/**
 * m:ss, h:mm:ss, or "2 days 3:04:05" for a number of seconds left (rounded up, so 0:00 is never shown
 * while time remains). Days are named only when the page's strings `t` are given.
 */
export function clock(seconds, t = null) {
  const s = Math.max(0, Math.ceil(seconds));
  const d = t ? Math.floor(s / 86400) : 0;
  const h = Math.floor((s - d * 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  const time = h || d ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
  return d ? `${d === 1 ? t("day_one") : t("days", { n: d })} ${time}` : time;
}

const UK_PARTS = { timeZone: "Europe/London", year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/**
 * A scheduled time as the UK says it, in the page's words: "3 March at 10:00" (the year too when it is not this
 * one). Needs the page's strings `t` with "months" and "date_at_time" (includes/strings_schedule.html).
 */
export function ukWhen(iso, t) {
  const parts = (at) => Object.fromEntries(new Intl.DateTimeFormat("en-GB", UK_PARTS).formatToParts(at).map((p) => [p.type, p.value]));
  const at = parts(new Date(iso));
  const months = t("months").split("|");
  const year = at.year === parts(new Date()).year ? "" : ` ${at.year}`;
  return t("date_at_time", { date: `${Number(at.day)} ${months[Number(at.month) - 1] || at.month}${year}`, time: `${at.hour}:${at.minute}` });
}

/** A time as a date-and-time field holds it in UK wall-clock time: "2026-03-03T10:00" (the console's schedule). */
export function ukLocal(iso) {
  const at = Object.fromEntries(new Intl.DateTimeFormat("en-GB", UK_PARTS).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${at.year}-${at.month.padStart(2, "0")}-${at.day.padStart(2, "0")}T${at.hour}:${at.minute}`;
}

/** A participant's name, or "Anonymous participant" in the page's language (names arrive as "" then). */
export function person(t, name) {
  return name || t("anonymous");
}

/** A public reason for hiding: a preset arrives as its code and is shown in the page's language. */
export function reasonText(t, reason) {
  const key = `reason_${reason}`;
  const label = t(key);
  return label === key ? reason : label;
}

/**
 * Say server-rendered start times (UK time, <time data-local-time>) in the browser's own zone too,
 * when its clock differs from the UK's at that moment. Day and month names come from the page, so
 * the words are in the page's language even where the browser has no Welsh.
 */
export function localTimes(root = document) {
  for (const el of root.querySelectorAll("time[data-local-time]")) {
    const at = new Date(el.getAttribute("datetime"));
    const out = el.parentElement.querySelector('[data-slot="local-time"]');
    if (!out || Number.isNaN(at.getTime()) || -at.getTimezoneOffset() === Number(el.dataset.offset)) continue;
    const days = el.dataset.days.split("|");
    const months = el.dataset.months.split("|");
    const date = `${days[at.getDay()]} ${at.getDate()} ${months[at.getMonth()]} ${at.getFullYear()}`;
    const time = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
    const zone = new Intl.DateTimeFormat("en-GB", { timeZoneName: "short" }).formatToParts(at)
      .find((part) => part.type === "timeZoneName");
    const when = format(el.dataset.pattern, { date, time });
    out.textContent = format(el.dataset.label, { when: zone ? `${when} (${zone.value})` : when });
    out.hidden = false;
  }
}
