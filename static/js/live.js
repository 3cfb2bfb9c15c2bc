// The citizen's live page: keeps the server-rendered page up to date from the session socket
// and sends the page's forms over it (they still work as plain POST forms without JavaScript).

import {
  announce, clock, clone, fill, formFields, loadStrings, localTimes, newRef, person, reasonText, setText, slot, uniqueIds,
} from "./lib/dom.js";
import { LiveSocket, showStatus } from "./lib/live-socket.js";
import { Ranking } from "./lib/ranking.js";

const root = document.getElementById("live");
const t = loadStrings();
const announcer = document.getElementById("announcer");
const indicator = document.getElementById("connection");
const list = document.getElementById("proposals");

const model = {
  ended: false,
  viewer: {},
  rounds: new Map(),
  proposals: new Map(),
  comments: new Map(),
  myBallots: {},
  mine: new Set(), // proposal ids written by this participant
  myComments: new Set(),
  flagged: new Set(), // "proposal:3" / "comment:7" reported from this page
};
const nodes = { proposals: new Map(), comments: new Map() };
let ranking = null;
let timerRound = null;
let warned = new Set();

const socket = new LiveSocket({
  code: root.dataset.code,
  onSnapshot: snapshot,
  onEvent: event,
  onStatus: (status, waiting) => showStatus(indicator, t, status, waiting),
});

function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}

function snapshot(state) {
  model.ended = Boolean(state.session && state.session.status === "ended");
  model.viewer = state.viewer;
  model.rounds = byId(state.rounds);
  model.proposals = byId(state.proposals);
  model.comments = byId(state.comments);
  model.myBallots = state.my_ballots || {};
  for (const p of state.proposals) if (p.mine) model.mine.add(p.id);
  for (const c of state.comments) if (c.mine) model.myComments.add(c.id);
  render();
}

function keepMine(item, mineSet) {
  return { ...item, mine: mineSet.has(item.id) };
}

function event({ type, payload }) {
  const before = current();
  if (type.startsWith("round.")) {
    const round = payload.round && typeof payload.round === "object" ? payload.round : null;
    if (round) {
      const old = model.rounds.get(round.id) || {};
      model.rounds.set(round.id, { ...old, ...round, ...(payload.result ? { result: payload.result } : {}) });
      if (type === "round.opened") announce(announcer, t("round_opened", { title: round.title }));
      if (type === "round.closed") announce(announcer, t("round_closed", { title: round.title }));
      if (type === "round.published") announce(announcer, t("results_published", { title: round.title }));
    }
  } else if (type.startsWith("proposal.")) {
    for (const key of ["proposal", "into"]) {
      if (payload[key]) model.proposals.set(payload[key].id, keepMine(payload[key], model.mine));
    }
    if (type === "proposal.merged") {
      for (const comment of model.comments.values()) {
        if (comment.proposal === payload.proposal.id) comment.proposal = payload.into.id;
      }
    }
    if (type === "proposal.unmerged") {
      // A merge undone: the comments written on the duplicate go back to it.
      for (const id of payload.comments || []) {
        const comment = model.comments.get(id);
        if (comment) comment.proposal = payload.proposal.id;
      }
    }
    if (type === "proposal.submitted" && !model.mine.has(payload.proposal.id)) {
      announce(announcer, t("new_proposal", { title: payload.proposal.title }));
    }
  } else if (type.startsWith("comment.") && payload.comment) {
    model.comments.set(payload.comment.id, keepMine(payload.comment, model.myComments));
  } else if (type === "session.eligibility_set") {
    refreshSnapshot(); // who may vote or contribute changed: this viewer's own flags come with a fresh snapshot
  } else if (type === "session.ended") {
    model.ended = true;
    announce(announcer, t("ended_title"));
  }
  render(before);
}

/** Ask the server for a fresh snapshot (a sync from before the start always answers with one). */
function refreshSnapshot() {
  socket.sendInternal({ type: "sync", after: -1 }, (reply) => {
    const fresh = reply.type === "ack" && reply.payload && reply.payload.snapshot;
    if (fresh) socket.applySnapshot(fresh);
  });
}

/** The open round, if there is one to take part in (none once the session has ended). */
function current() {
  if (model.ended) return null;
  for (const round of model.rounds.values()) if (round.state === "open") return round;
  return null;
}

function started() {
  return [...model.rounds.values()].some((round) => round.state !== "draft");
}

// --- rendering -----------------------------------------------------------------------------

function render() {
  const round = current();
  renderRound(round);
  renderForms(round);
  renderProposals(round);
  renderResults();
  const vote = round && round.kind === "vote" ? round : null;
  Ranking.keepDraftOnly(root.dataset.code, vote ? vote.id : null); // drafts of rounds no longer open go
}

function renderRound(round) {
  const panel = document.getElementById("current-round");
  panel.className = `current-round${round ? ` current-round--${round.kind}` : ""}`;
  fill(panel, "kind", round ? t(`kind_${round.kind}`) : "");
  const waiting = model.ended ? "ended" : started() ? "waiting" : "waiting_start";
  setText(slot(panel, "title"), round ? round.title : t(`${waiting}_title`));
  fill(panel, "prompt", round ? round.prompt : "");
  setText(slot(panel, "todo"), round ? t(`todo_${round.kind}`) : t(`${waiting}_todo`));
  const plan = document.getElementById("plan");
  if (plan) plan.hidden = model.ended || started();
  document.getElementById("you").hidden = model.ended;
  timerRound = round && round.closes_at ? round : null;
  tick();
}

function tick() {
  const el = slot(document.getElementById("current-round"), "timer");
  if (!timerRound) {
    el.hidden = true;
    return;
  }
  const left = (Date.parse(timerRound.closes_at) - Date.now()) / 1000;
  el.hidden = false;
  el.classList.toggle("timer--low", left <= 60);
  setText(el, left > 0 ? t("closes_in", { time: clock(left) }) : t(timerRound.auto_close ? "time_up_auto" : "time_up"));
  if (left > 0 && left <= 60 && !warned.has(timerRound.id)) {
    warned.add(timerRound.id);
    announce(announcer, t("one_minute"));
  }
}

/** Someone without the right to vote (no card, not on the list) is told why, in place of the ballot. */
function renderWatching() {
  const { eligible, may_contribute: contribute } = model.viewer;
  root.classList.toggle("live--watch-only", contribute === false);
  const box = document.getElementById("watching");
  box.hidden = eligible !== false || model.ended || !model.viewer.participant; // a facilitator looking is not told
  if (box.hidden) return;
  const why = { no_card: "watch_cards", not_on_list: "watch_signin" }[model.viewer.ineligible] || "watch_other";
  setText(slot(box, "why"), t(why));
  setText(slot(box, "contribute"), t(contribute ? "watch_contribute" : "watch_follow"));
  document.getElementById("card-form").hidden = model.viewer.ineligible !== "no_card";
}

function renderForms(round) {
  renderWatching();
  const propose = document.getElementById("propose");
  propose.hidden = !round || round.kind !== "proposal" || model.viewer.may_contribute === false;
  if (!propose.hidden) {
    slot(propose, "round").value = round.id;
    fill(propose, "limit", round.max_per_participant ? t("limit", { n: round.max_per_participant }) : "");
  }
  const vote = document.getElementById("vote");
  vote.hidden = !round || round.kind !== "vote" || model.viewer.eligible === false;
  if (!vote.hidden) {
    const form = document.getElementById("ballot-form");
    slot(form, "round").value = round.id;
    if (!ranking) ranking = new Ranking(form, t, root.dataset.code);
    const saved = model.myBallots[String(round.id)];
    ranking.sync(round, model.proposals, saved);
    setText(document.getElementById("cast-button"), saved ? t("change") : t("cast"));
    showReceipt(saved);
  }
}

function showReceipt(saved) {
  const box = document.getElementById("receipt");
  box.hidden = !saved;
  if (!saved) return;
  const text = t("ballot_recorded", { receipt: saved.receipt });
  if (box.dataset.receipt === saved.receipt) return;
  box.dataset.receipt = saved.receipt;
  const [before, after = ""] = text.split(saved.receipt);
  const strong = document.createElement("strong");
  strong.textContent = saved.receipt;
  const keep = document.createElement("span");
  keep.className = "receipt__keep";
  keep.textContent = t("ballot_keep");
  box.replaceChildren(before, strong, after, " ", keep);
}

function renderProposals(round) {
  const visible = [...model.proposals.values()].filter((p) => !p.merged_into).sort((a, b) => a.id - b.id);
  if (!list.dataset.live) {
    list.replaceChildren(); // the server's rendering is replaced once by the same markup, kept live
    list.dataset.live = "1";
  }
  const wanted = visible.map((p) => {
    let li = nodes.proposals.get(p.id);
    if (!li) {
      li = uniqueIds(clone("tpl-proposal"), String(p.id));
      li.id = `proposal-${p.id}`;
      li.dataset.id = String(p.id);
      nodes.proposals.set(p.id, li);
    }
    fillProposal(li, p, round);
    return li;
  });
  placeNodes(list, wanted);
  document.getElementById("no-proposals").hidden = wanted.length > 0;
}

function fillProposal(li, p, round) {
  li.classList.toggle("proposal--mine", model.mine.has(p.id));
  li.classList.toggle("proposal--hidden", Boolean(p.hidden));
  fill(li, "stub", p.hidden ? t("hidden_stub", { reason: reasonText(t, p.reason) }) : "");
  slot(li, "content").hidden = Boolean(p.hidden);
  if (p.hidden) {
    // What was hidden leaves the page too, not only the view.
    for (const name of ["title", "body", "author", "summary-title", "flag-title"]) setText(slot(li, name), "");
    return;
  }
  setText(slot(li, "title"), p.title);
  fill(li, "body", p.body);
  setText(slot(li, "author"), person(t, p.author));
  slot(li, "mine").hidden = !model.mine.has(p.id);
  fill(li, "edited", p.edited ? t("edited", { original: p.original_title }) : "");
  const merged = [...model.proposals.values()].filter((m) => m.merged_into === p.id && !m.hidden);
  const mergedList = slot(li, "merged");
  const mergedText = merged.map((m) => t("includes_duplicate", { title: m.title }));
  if ([...mergedList.children].map((x) => x.textContent).join("\n") !== mergedText.join("\n")) {
    mergedList.replaceChildren(...mergedText.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  }
  mergedList.hidden = merged.length === 0;
  setText(slot(li, "summary-title"), `: ${p.title}`);
  setText(slot(li, "flag-title"), `: ${p.title}`);
  slot(li, "flag-id").value = p.id;
  slot(li, "proposal-id").value = p.id;
  const form = slot(li, "comment-form");
  form.hidden = !round || round.kind !== "comment";
  if (!form.hidden) slot(form, "round").value = round.id;
  flagState(li, `proposal:${p.id}`);
  const top = [...model.comments.values()].filter((c) => c.proposal === p.id && !c.parent).sort((a, b) => a.id - b.id);
  const thread = slot(li, "comments");
  placeNodes(thread, top.map((c) => commentNode(c)));
  thread.hidden = top.length === 0;
}

function commentNode(c) {
  let li = nodes.comments.get(c.id);
  if (!li) {
    li = uniqueIds(clone("tpl-comment"), `c${c.id}`);
    li.id = `comment-${c.id}`;
    li.dataset.id = String(c.id);
    nodes.comments.set(c.id, li);
  }
  const mine = model.myComments.has(c.id);
  li.classList.toggle("comment--mine", mine);
  li.classList.toggle("comment--hidden", Boolean(c.hidden));
  fill(li, "stub", c.hidden ? t("hidden_stub", { reason: reasonText(t, c.reason) }) : "");
  slot(li, "content").hidden = Boolean(c.hidden);
  if (c.hidden) {
    for (const name of ["body", "author"]) setText(slot(li, name), "");
  } else {
    const stance = slot(li, "stance");
    stance.className = `stance stance--${c.stance || "none"}`;
    fill(li, "stance", c.stance ? t(`stance_${c.stance}`) : "");
    setText(slot(li, "author"), person(t, c.author));
    slot(li, "mine").hidden = !mine;
    setText(slot(li, "body"), c.body);
    slot(li, "flag-id").value = c.id;
    flagState(li, `comment:${c.id}`);
  }
  // One level of replies: only top-level comments take a reply, and only while comments are open.
  const reply = li.querySelector(':scope > .comment__content > [data-slot="reply-form"]');
  if (reply) {
    const round = [...model.rounds.values()].find((r) => r.state === "open");
    reply.hidden = Boolean(c.parent) || Boolean(c.hidden) || !round || round.kind !== "comment";
    if (!reply.hidden) {
      slot(reply, "reply-round").value = round.id;
      slot(reply, "reply-proposal").value = c.proposal;
      slot(reply, "reply-parent").value = c.id;
    }
  }
  const replies = [...model.comments.values()].filter((r) => r.parent === c.id).sort((a, b) => a.id - b.id);
  const box = slot(li, "replies");
  placeNodes(box, replies.map((r) => commentNode(r)));
  box.hidden = replies.length === 0;
  return li;
}

function flagState(li, key) {
  const done = model.flagged.has(key) || model.ended;
  const button = li.querySelector(':scope > .proposal__content > .flag-form [data-slot="flag-button"], :scope > .comment__content > .flag-form [data-slot="flag-button"]');
  if (button) button.hidden = done;
}

function placeNodes(parent, wanted) {
  const focused = document.activeElement;
  wanted.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] || null);
  });
  while (parent.children.length > wanted.length) parent.lastElementChild.remove();
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
}

function renderResults() {
  const published = [...model.rounds.values()].filter((r) => r.state === "published");
  const section = document.getElementById("results");
  section.hidden = published.length === 0 || model.ended; // then they are in the panel at the top
  resultLinks(document.getElementById("results-list"), published);
  // An ended session shows where to read what was decided, in the panel that said what to do.
  const panel = document.getElementById("current-round");
  slot(panel, "ended-results").hidden = !model.ended || published.length === 0;
  resultLinks(slot(panel, "ended-results-list"), published);
}

function resultLinks(ul, published) {
  const base = root.dataset.resultsUrl;
  const items = published.map((r) => {
    const href = base.replace(/\/0\/$/, `/${r.id}/`);
    let li = ul.querySelector(`a[href="${href}"]`)?.parentElement;
    if (!li) {
      li = clone("tpl-result-link");
      li.firstElementChild.href = href;
    }
    setText(li.firstElementChild, r.title);
    return li;
  });
  placeNodes(ul, items);
}

// --- sending -------------------------------------------------------------------------------

function feedback(form, text, error = false) {
  const el = form.querySelector('[data-slot="feedback"]');
  if (!el) return;
  el.classList.toggle("form-feedback--error", error);
  el.textContent = text;
}

function payloadFor(action, fields) {
  const int = (v) => (v === undefined || v === "" ? undefined : Number(v));
  switch (action) {
    case "proposal.submit":
      return { round: int(fields.round), title: fields.title || "", body: fields.body || "" };
    case "comment.submit":
      return fields.parent
        ? { round: int(fields.round), proposal: int(fields.proposal), body: fields.body || "", parent: int(fields.parent) }
        : { round: int(fields.round), proposal: int(fields.proposal), body: fields.body || "", stance: fields.stance || "" };
    case "flag.submit":
      return fields.comment ? { comment: int(fields.comment) } : { proposal: int(fields.proposal) };
    case "participant.rename":
      return { name: fields.name || "" };
    case "ballot.cast":
      return { round: int(fields.round), ranking: ranking ? [...ranking.order] : [] };
    case "participant.use_card":
      return { card: fields.card || "" };
    default:
      return null;
  }
}

async function submit(form) {
  const action = form.dataset.action;
  const payload = payloadFor(action, formFields(form));
  if (!payload) return;
  // A second press of the same thing while the first is on its way reuses its ref, so the server records
  // it once; anything different (the next paper slip typed meanwhile) is a new message with a new ref.
  const same = form.dataset.pendingPayload === JSON.stringify(payload);
  const ref = (same && form.dataset.pendingRef) || newRef();
  form.dataset.pendingRef = ref;
  form.dataset.pendingPayload = JSON.stringify(payload);
  const queued = !socket.ready;
  if (queued) feedback(form, t("queued"));
  try {
    const ack = await socket.send(action, payload, { ref, tooLargeMessage: t("too_large") });
    if (form.dataset.pendingRef === ref) delete form.dataset.pendingRef;
    done(form, action, payload, ack);
  } catch (error) {
    if (form.dataset.pendingRef === ref) delete form.dataset.pendingRef;
    feedback(form, error.message || "", true);
    // Sent later than it was made, or answered after the page moved on: say so where the person looks.
    if (queued || form.closest("[hidden]")) notify(refusal(action, payload, error));
  }
}

const CLOSED = new Set(["round_not_open", "time_up", "wrong_state"]);

/** What a refusal means to the person, and (for a ballot) whether a vote of theirs still counts. */
function refusal(action, payload, error) {
  const closed = CLOSED.has(error.code) ? "_closed" : "";
  const reason = error.message || "";
  if (action === "ballot.cast") {
    const earlier = model.myBallots[String(payload.round)];
    if (earlier) return t(`refused_change${closed}`, { reason, receipt: earlier.receipt });
    return t(`refused_ballot${closed}`, { reason });
  }
  if (action === "proposal.submit") return t(`refused_proposal${closed}`, { reason, title: payload.title });
  if (action === "comment.submit") return t(`refused_comment${closed}`, { reason });
  if (action === "flag.submit") return t("refused_flag", { reason });
  if (action === "participant.use_card") return t("refused_card", { reason });
  return t("refused_rename", { reason });
}

/** A notice at the top of the live area, read out at once and kept (through every re-render) until dismissed. */
function notify(text) {
  const note = clone("tpl-notice");
  slot(note, "text").textContent = text;
  document.getElementById("notices").append(note);
}

document.getElementById("notices").addEventListener("click", (e) => {
  const button = e.target.closest('[data-slot="dismiss"]');
  if (!button) return;
  const note = button.closest(".notice");
  const next = note.nextElementSibling || note.previousElementSibling;
  note.remove();
  const target = next ? slot(next, "dismiss") : document.getElementById("current-heading");
  if (!next) target.tabIndex = -1;
  target.focus();
});

function done(form, action, payload, ack) {
  if (action === "proposal.submit") {
    model.mine.add(ack.id);
    const p = model.proposals.get(ack.id);
    if (p) p.mine = true;
    form.reset();
    feedback(form, t("proposal_added"));
  } else if (action === "comment.submit") {
    model.myComments.add(ack.id);
    form.querySelector("textarea").value = "";
    feedback(form, t("comment_added"));
  } else if (action === "flag.submit") {
    const key = payload.comment ? `comment:${payload.comment}` : `proposal:${payload.proposal}`;
    model.flagged.add(key);
    const note = form.querySelector('[data-slot="flag-done"]');
    note.textContent = t("flagged");
    note.tabIndex = -1;
    form.querySelector('[data-slot="flag-button"]').hidden = true;
    note.focus();
  } else if (action === "participant.rename") {
    model.viewer.name = ack.name;
    feedback(form, t("name_saved"));
  } else if (action === "participant.use_card") {
    model.viewer = { ...model.viewer, eligible: true, may_contribute: true, has_card: true, ineligible: "" };
    form.reset();
    feedback(form, "");
    announce(announcer, t("card_accepted"));
    render();
    const heading = document.getElementById(current() && current().kind === "vote" ? "vote-heading" : "current-heading");
    heading.tabIndex = -1;
    heading.focus(); // the card form has gone: the keyboard lands where voting starts
    return;
  } else if (action === "ballot.cast") {
    model.myBallots[String(payload.round)] = { ranking: ack.ranking, receipt: ack.receipt };
    if (ranking) ranking.forgetDraft(payload.round);
    feedback(form, "");
  }
  render();
}

root.addEventListener("submit", (e) => {
  const form = e.target.closest("form[data-action]");
  if (!form) return;
  e.preventDefault();
  submit(form);
});

window.setInterval(tick, 1000);
localTimes();
socket.start();
