// The ranked ballot: drag and drop AND, without dragging, Up/Down buttons and a rank number
// (WCAG 2.5.7). The current ranking is read back in words before the ballot is cast. A ranking
// not cast yet is kept on the device (localStorage), so a reload or a crash does not lose it.

import { announce, clone, placeInOrder, setText, slot, uniqueIds } from "./dom.js";

export class Ranking {
  /** form: the ballot <form>; t: the page's strings; code: the session's join code (drafts are kept per round). */
  constructor(form, t, code = "") {
    this.form = form;
    this.t = t;
    this.code = code;
    this.ranked = form.querySelector("#ranked");
    this.unranked = form.querySelector("#unranked");
    this.readback = form.querySelector("#readback");
    this.live = document.getElementById("announcer");
    this.items = new Map(); // proposal id -> <li>
    this.titles = new Map();
    this.languages = new Map(); // the language each proposal is written in, for its lang attribute
    this.ballot = []; // proposal ids on the ballot, in ballot order
    this.order = []; // ranked proposal ids, first choice first
    this.roundId = null;
    const nojs = form.querySelector("#ballot-nojs");
    if (nojs) nojs.remove(); // the selects below carry the same rank_<id> fields
    form.addEventListener("click", (e) => this.click(e));
    form.addEventListener("change", (e) => this.change(e));
    form.addEventListener("pointerdown", (e) => this.dragStart(e));
  }

  /** Follow the round's ballot; when the round changes, start from the draft kept on the device, else the cast ballot. */
  sync(round, proposals, saved) {
    const ballot = round.ballot || [];
    if (round.id !== this.roundId) {
      this.roundId = round.id;
      const draft = readDraft(draftKey(this.code, round.id));
      this.order = (draft || (saved && saved.ranking) || []).filter((id) => ballot.includes(id));
    }
    this.ballot = ballot;
    this.order = this.order.filter((id) => ballot.includes(id));
    for (const id of ballot) {
      const proposal = proposals.get(id);
      this.titles.set(id, proposal && proposal.title ? proposal.title : `#${id}`);
      this.languages.set(id, (proposal && proposal.language) || "");
    }
    this.render();
  }

  title(id) {
    return this.titles.get(id) || `#${id}`;
  }

  item(id) {
    let li = this.items.get(id);
    if (!li) {
      li = uniqueIds(clone("tpl-rank-item"), String(id));
      li.dataset.id = String(id);
      slot(li, "select").name = `rank_${id}`;
      this.items.set(id, li);
    }
    return li;
  }

  render() {
    const focused = document.activeElement;
    const total = this.order.length;
    const rankedNodes = this.order.map((id) => this.item(id));
    const rest = this.ballot.filter((id) => !this.order.includes(id)).map((id) => this.item(id));
    for (const [id, li] of this.items) if (!this.ballot.includes(id)) li.remove();
    rankedNodes.forEach((li, index) => this.fillItem(li, index + 1, total));
    rest.forEach((li) => this.fillItem(li, 0, total));
    placeInOrder(this.ranked, rankedNodes, { keepFocus: false });
    placeInOrder(this.unranked, rest, { keepFocus: false });
    this.form.querySelector("#ranked-empty").hidden = total > 0;
    this.form.querySelector("#unranked-empty").hidden = rest.length > 0;
    const words = this.order.map((id, i) => `${i + 1}. ${this.title(id)}`).join(", ");
    setText(this.readback, total ? this.t("readback", { list: words }) : this.t("readback_empty"));
    if (focused && focused !== document.activeElement && focused.isConnected && !focused.closest("[hidden]")) {
      focused.focus();
    }
  }

  fillItem(li, rank, total) {
    const id = Number(li.dataset.id);
    const title = this.title(id);
    li.classList.toggle("rank-item--ranked", rank > 0);
    setText(slot(li, "number"), rank ? String(rank) : "–");
    setText(slot(li, "title"), title);
    for (const name of ["up-title", "down-title", "add-title"]) setText(slot(li, name), `: ${title}`);
    const lang = this.languages.get(id);
    for (const name of ["title", "up-title", "down-title", "add-title"]) {
      if (lang) slot(li, name).setAttribute("lang", lang);
      else slot(li, name).removeAttribute("lang");
    }
    const up = li.querySelector('[data-move="up"]');
    const down = li.querySelector('[data-move="down"]');
    li.querySelector('[data-move="add"]').hidden = rank > 0;
    up.hidden = down.hidden = rank === 0;
    // aria-disabled, not disabled: a disabled button would drop keyboard focus.
    up.setAttribute("aria-disabled", String(rank === 1));
    down.setAttribute("aria-disabled", String(rank === total));
    const select = slot(li, "select");
    const count = rank ? total : total + 1;
    const wanted = ["", ...Array.from({ length: count }, (_, i) => String(i + 1))];
    if ([...select.options].map((o) => o.value).join() !== wanted.join()) {
      select.replaceChildren(
        ...wanted.map((value) => new Option(value ? value : this.t("not_ranked"), value)),
      );
    }
    select.value = rank ? String(rank) : "";
  }

  /** Forget the draft of a round once its ballot is cast. */
  forgetDraft(roundId) {
    store((storage) => storage.removeItem(draftKey(this.code, roundId)));
  }

  /** Keep only the draft of the vote round open now (none when no vote is open). */
  static keepDraftOnly(code, openRoundId) {
    const prefix = draftKey(code, "");
    store((storage) => {
      const stale = [];
      for (let i = 0; i < storage.length; i += 1) {
        const key = storage.key(i);
        if (key.startsWith(prefix) && key !== draftKey(code, openRoundId)) stale.push(key);
      }
      stale.forEach((key) => storage.removeItem(key));
    });
  }

  /** Move a proposal to a rank (1-based); 0 takes it off the ranking. */
  moveTo(id, rank) {
    this.order = this.order.filter((x) => x !== id);
    if (rank > 0) this.order.splice(Math.min(rank, this.order.length + 1) - 1, 0, id);
    const order = [...this.order];
    store((storage) => storage.setItem(draftKey(this.code, this.roundId), JSON.stringify(order)));
    this.render();
    const n = this.order.indexOf(id) + 1;
    announce(this.live, n ? this.t("moved", { title: this.title(id), n, total: this.order.length })
      : this.t("removed", { title: this.title(id) }));
  }

  click(e) {
    const button = e.target.closest("[data-move]");
    if (!button) return;
    const li = button.closest(".rank-item");
    const id = Number(li.dataset.id);
    const at = this.order.indexOf(id) + 1;
    const move = button.dataset.move;
    if (move === "add") {
      const next = li.nextElementSibling || li.previousElementSibling;
      this.moveTo(id, this.order.length + 1);
      // Keep the keyboard where the next choice is made: the next proposal still to rank.
      const target = next && next.parentElement === this.unranked ? next.querySelector('[data-move="add"]')
        : this.form.querySelector("#cast-button");
      target.focus();
    } else if (move === "up") {
      if (at <= 1) announce(this.live, this.t("at_top", { title: this.title(id) }));
      else this.moveTo(id, at - 1);
    } else if (move === "down") {
      if (at >= this.order.length) announce(this.live, this.t("at_bottom", { title: this.title(id) }));
      else this.moveTo(id, at + 1);
    }
  }

  change(e) {
    const select = e.target.closest("select[data-slot='select']");
    if (!select) return;
    const id = Number(select.closest(".rank-item").dataset.id);
    this.moveTo(id, Number(select.value || 0));
  }

  /** Drag by the handle with a mouse, a finger or a pen (pointer events, so touch works too). */
  dragStart(e) {
    const handle = e.target.closest(".rank-item__handle");
    if (!handle) return;
    const li = handle.closest(".rank-item");
    if (li.parentElement !== this.ranked) return;
    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    li.classList.add("rank-item--dragging");
    const moveWith = (ev) => {
      const prev = li.previousElementSibling;
      const next = li.nextElementSibling;
      if (prev && ev.clientY < middle(prev)) this.ranked.insertBefore(li, prev);
      else if (next && ev.clientY > middle(next)) this.ranked.insertBefore(next, li);
    };
    const stop = () => {
      handle.removeEventListener("pointermove", moveWith);
      handle.removeEventListener("pointerup", stop);
      handle.removeEventListener("pointercancel", stop);
      li.classList.remove("rank-item--dragging");
      const id = Number(li.dataset.id);
      const order = [...this.ranked.children].map((x) => Number(x.dataset.id));
      this.order = order;
      this.moveTo(id, order.indexOf(id) + 1);
    };
    handle.addEventListener("pointermove", moveWith);
    handle.addEventListener("pointerup", stop);
    handle.addEventListener("pointercancel", stop);
  }
}

function draftKey(code, roundId) {
  return `cyd-ranking:${code}:${roundId ?? ""}`;
}

/** Use localStorage when the browser allows it (it can be off, full or private): drafts are a convenience. */
function store(use) {
  try {
    return use(window.localStorage);
  } catch {
    return null;
  }
}

function readDraft(key) {
  const order = store((storage) => JSON.parse(storage.getItem(key) || "null"));
  return Array.isArray(order) && order.every(Number.isInteger) ? order : null;
}

function middle(el) {
  const box = el.getBoundingClientRect();
  return box.top + box.height / 2;
}
