// The citizen's live page: keeps the server-rendered page up to date from the session socket
// and sends the page's forms over it (they still work as plain POST forms without JavaScript).

import {
  announce, clone, fill, formFields, loadStrings, localTimes, person, placeInOrder, reasonText, setText, slot, ukWhen, uniqueIds,
} from "./lib/dom.js";
import { Countdown, feedback, sendForm } from "./lib/forms.js";
import { LiveSocket, showStatus } from "./lib/live-socket.js";
import { Ranking } from "./lib/ranking.js";
import { SessionState } from "./lib/session-state.js";
import { markLanguage, pick, shown, showText } from "./lib/text.js";

const root = document.getElementById("live");
const t = loadStrings();
const announcer = document.getElementById("announcer");
const indicator = document.getElementById("connection");
const list = document.getElementById("proposals");

const store = new SessionState();
const model = store.state;
const flagged = new Set(); // "proposal:3" / "comment:7" reported from this page
const nodes = { proposals: new Map(), comments: new Map() };
let ranking = null;

const socket = new LiveSocket({
  code: root.dataset.code,
  onSnapshot: (state) => store.sync(state),
  onEvent: (event) => store.apply(event),
  onStatus: (status, waiting) => showStatus(indicator, t, status, waiting),
});
const countdown = new Countdown({ t, announcer, warnLate: true, sayUp: false });

/** What an event means to the person, read out; then the page follows the state. */
store.subscribe((event) => {
  const { type, payload } = event || {};
  if (type === "round.opened") announce(announcer, t("round_opened", { title: shown(payload.round, "title") }));
  if (type === "round.closed") announce(announcer, t("round_closed", { title: shown(payload.round, "title") }));
  if (type === "round.published") announce(announcer, t("results_published", { title: shown(payload.round, "title") }));
  if (type === "proposal.submitted" && !model.mine.has(payload.proposal.id)) {
    announce(announcer, t("new_proposal", { title: payload.proposal.title }));
  }
  if (type === "session.ended") announce(announcer, t("ended_title"));
  // Who may vote or contribute changed: this viewer's own flags come with a fresh snapshot.
  if (type === "session.eligibility_set") socket.refresh();
  render();
});

function started() {
  return [...model.rounds.values()].some((round) => round.state !== "draft");
}

// --- rendering -----------------------------------------------------------------------------

function render() {
  const round = store.current();
  renderRound(round);
  renderComingUp();
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
  // The round's words in the page's language (else the other's, marked with its lang); the page's own words otherwise.
  if (round) showText(slot(panel, "title"), round, "title", { keep: true });
  else {
    setText(slot(panel, "title"), t(`${waiting}_title`));
    markLanguage(slot(panel, "title"), null);
  }
  showText(slot(panel, "prompt"), round, "prompt");
  const scheduled = !model.ended && store.rounds().some((r) => r.state === "draft" && r.opens_at);
  setText(slot(panel, "todo"), round ? t(`todo_${round.kind}`) : t(scheduled ? "waiting_scheduled_todo" : `${waiting}_todo`));
  const plan = document.getElementById("plan");
  if (plan) plan.hidden = model.ended || started();
  document.getElementById("you").hidden = model.ended;
  tick();
}

/** Rounds scheduled to open, soonest first: "Opens 3 March at 10:00" (UK time, the page's words). */
function renderComingUp() {
  const box = document.getElementById("coming-up");
  if (!box) return;
  const upcoming = store.rounds().filter((r) => r.state === "draft" && r.opens_at)
    .sort((a, b) => Date.parse(a.opens_at) - Date.parse(b.opens_at));
  box.hidden = model.ended || upcoming.length === 0;
  const list = document.getElementById("coming-up-list");
  const old = new Map([...list.children].map((li) => [Number(li.dataset.round), li]));
  placeInOrder(list, upcoming.map((round) => {
    const li = old.get(round.id) || clone("tpl-coming-up");
    li.dataset.round = round.id;
    showText(slot(li, "title"), round, "title", { keep: true });
    const opens = slot(li, "opens");
    opens.setAttribute("datetime", round.opens_at);
    setText(opens, t("opens_on", { when: ukWhen(round.opens_at, t) }));
    fill(li, "closes", round.closes_at ? t("closes_on", { when: ukWhen(round.closes_at, t) }) : "");
    return li;
  }));
}

function tick() {
  countdown.show(slot(document.getElementById("current-round"), "timer"), store.current());
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
  placeInOrder(list, wanted);
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
  for (const name of ["title", "body", "summary-title", "flag-title"]) markLanguage(slot(li, name), p.language); // WCAG 3.1.2
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
  placeInOrder(thread, top.map((c) => commentNode(c)));
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
    markLanguage(slot(li, "body"), c.language);
    slot(li, "flag-id").value = c.id;
    flagState(li, `comment:${c.id}`);
  }
  // One level of replies: only top-level comments take a reply, and only while comments are open.
  const reply = li.querySelector(':scope > .comment__content > [data-slot="reply-form"]');
  if (reply) {
    const round = store.current();
    reply.hidden = Boolean(c.parent) || Boolean(c.hidden) || !round || round.kind !== "comment";
    if (!reply.hidden) {
      slot(reply, "reply-round").value = round.id;
      slot(reply, "reply-proposal").value = c.proposal;
      slot(reply, "reply-parent").value = c.id;
    }
  }
  const replies = [...model.comments.values()].filter((r) => r.parent === c.id).sort((a, b) => a.id - b.id);
  const box = slot(li, "replies");
  placeInOrder(box, replies.map((r) => commentNode(r)));
  box.hidden = replies.length === 0;
  return li;
}

function flagState(li, key) {
  const done = flagged.has(key) || model.ended;
  const button = li.querySelector(':scope > .proposal__content > .flag-form [data-slot="flag-button"], :scope > .comment__content > .flag-form [data-slot="flag-button"]');
  if (button) button.hidden = done;
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
    setText(li.firstElementChild, shown(r, "title"));
    markLanguage(li.firstElementChild, pick(r, "title").lang);
    return li;
  });
  placeInOrder(ul, items);
}

// --- sending -------------------------------------------------------------------------------

function say(form, text, error = false) {
  feedback(form.querySelector('[data-slot="feedback"]'), text, error);
}

function payloadFor(action, fields) {
  const int = (v) => (v === undefined || v === "" ? undefined : Number(v));
  switch (action) {
    case "proposal.submit":
      return { round: int(fields.round), title: fields.title || "", body: fields.body || "", language: fields.language };
    case "comment.submit":
      return fields.parent
        ? { round: int(fields.round), proposal: int(fields.proposal), body: fields.body || "", parent: int(fields.parent), language: fields.language }
        : { round: int(fields.round), proposal: int(fields.proposal), body: fields.body || "", stance: fields.stance || "", language: fields.language };
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
  const queued = !socket.ready;
  try {
    const ack = await sendForm(socket, t, form, action, payload, (text) => say(form, text));
    done(form, action, payload, ack);
  } catch (error) {
    say(form, error.message || "", true);
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
    say(form, t("proposal_added"));
  } else if (action === "comment.submit") {
    model.myComments.add(ack.id);
    form.querySelector("textarea").value = "";
    say(form, t("comment_added"));
  } else if (action === "flag.submit") {
    const key = payload.comment ? `comment:${payload.comment}` : `proposal:${payload.proposal}`;
    flagged.add(key);
    const note = form.querySelector('[data-slot="flag-done"]');
    note.textContent = t("flagged");
    note.tabIndex = -1;
    form.querySelector('[data-slot="flag-button"]').hidden = true;
    note.focus();
  } else if (action === "participant.rename") {
    model.viewer.name = ack.name;
    say(form, t("name_saved"));
  } else if (action === "participant.use_card") {
    model.viewer = { ...model.viewer, eligible: true, may_contribute: true, has_card: true, ineligible: "" };
    form.reset();
    say(form, "");
    announce(announcer, t("card_accepted"));
    render();
    const heading = document.getElementById(store.current() && store.current().kind === "vote" ? "vote-heading" : "current-heading");
    heading.tabIndex = -1;
    heading.focus(); // the card form has gone: the keyboard lands where voting starts
    return;
  } else if (action === "ballot.cast") {
    model.myBallots[String(payload.round)] = { ranking: ack.ranking, receipt: ack.receipt };
    if (ranking) ranking.forgetDraft(payload.round);
    say(form, "");
  }
  render();
}

root.addEventListener("submit", (e) => {
  const form = e.target.closest("form[data-action]");
  if (!form) return;
  e.preventDefault();
  submit(form);
});

// "Keep your place": Copy puts the return link on the clipboard (without JS the field is selectable text).
for (const button of root.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    const words = document.getElementById("keep-place-strings").content;
    const word = (key) => words.querySelector(`[data-key="${key}"]`).textContent;
    field.select();
    let copied = false;
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch {
      copied = document.execCommand("copy"); // older browsers, or a page served without HTTPS
    }
    document.getElementById("keep-place-copied").textContent = word(copied ? "copied" : "copy_failed");
  });
}

window.setInterval(tick, 1000);
localTimes();
socket.start();
