// The facilitator console: run of show, live counts, moderation queue and paper ballot entry,
// kept up to date over the session socket. Every form also works as a plain POST without JS.

import {
  announce, clone, fill, formFields, loadStrings, person, placeInOrder, reasonText, setText, slot, ukLocal, ukWhen, uniqueIds,
} from "./lib/dom.js";
import { Countdown, feedback, sendForm } from "./lib/forms.js";
import { LiveSocket, showStatus } from "./lib/live-socket.js";
import { SessionState } from "./lib/session-state.js";
import { markLanguage, missingLanguages, pick, shown, showText } from "./lib/text.js";

const root = document.getElementById("live");
const t = loadStrings();
const announcer = document.getElementById("announcer");
const globalFeedback = document.getElementById("console-feedback");
const indicator = document.getElementById("connection");

const store = new SessionState();
const model = store.state;
const nodes = {
  rounds: new Map(), proposals: new Map(), comments: new Map(), flags: new Map(), slips: new Map(),
  voters: new Map(), waiting: new Map(), reconciliations: new Map(),
};
// Waiting people shown beyond the snapshot's first page (after "Show more"), kept until admitted or refused.
for (const li of [...document.querySelectorAll("#admission-queue > li[data-id]")].slice(50)) {
  const id = Number(li.dataset.id);
  model.moreWaiting.set(id, { id, name: li.dataset.name || "", joined_at: slot(li, "time").getAttribute("datetime") });
}
const endForm = document.getElementById("end-form");
const endDialog = document.getElementById("end-confirm");
const addForm = document.querySelector("#add-round form");
let paperKey = "";
let slips = 0;

const socket = new LiveSocket({
  code: root.dataset.code,
  onSnapshot: (state) => store.sync(state),
  onEvent: (event) => store.apply(event),
  onPresence: (counts) => store.setPresence(counts),
  onStatus: (status, waiting) => showStatus(indicator, t, status, waiting),
});
const countdown = new Countdown({ t, announcer, socket, autoKey: "closes_in_auto", upKey: "time_up_console" });

// Figures the server works out (cards, the sign-in list, the queue's pages, the lock, reconciliation): fetched afresh.
// Not on every online ballot: in a big room that would be a snapshot per vote; the close brings the final figures.
const REFRESH_ON = /^(cards\.|voter\.|participant\.(admission_requested|admitted|refused|card_used)|session\.eligibility_set|ballot\.paper_|round\.(opened|closed|counted|published))/;

store.subscribe((event) => {
  const { type, payload } = event || {};
  if (type === "presence") {
    if (model.facilitator) renderStats();
    return;
  }
  if (type === "participant.admission_requested") announce(announcer, t("waiting_new"));
  if (type === "flag.submitted") announce(announcer, t("new_flag"));
  if (type === "proposal.submitted") announce(announcer, t("new_proposal", { title: payload.proposal.title }));
  if (type && REFRESH_ON.test(type)) socket.refresh();
  render();
});

// --- rendering -----------------------------------------------------------------------------

function render() {
  renderStats();
  renderRounds();
  renderPaper();
  renderSlips();
  renderEligibility();
  renderReconciliation();
  renderFlags();
  renderModeration();
  renderEnd();
}

function titleOf(id) {
  const p = model.proposals.get(id);
  const hidden = model.facilitator.hidden_proposals[String(id)];
  return (p && p.title) || (hidden && hidden.title) || `#${id}`;
}

// What the count of a closed vote came to, in words: winners, "no result" and why, or a count that failed.
function outcomeText(result) {
  if (result.outcome === "count_failed") return t("count_failed", { detail: result.detail || "" });
  if (result.problem === "no_ballots") return t("no_result_no_ballots");
  if (result.problem === "too_few_ballots") return t("no_result_too_few");
  return t("counted", { names: (result.winners || []).join(", ") });
}

function renderStats() {
  const round = store.current();
  const presence = model.presence;
  if (presence) {
    setText(document.getElementById("count-connected"), String(presence.participants));
    setText(document.getElementById("count-facilitators"), presence.facilitators ? t("facilitating", { m: presence.facilitators }) : "");
  }
  setText(document.getElementById("count-participants"), String(model.facilitator.participants));
  const visible = [...model.proposals.values()].filter((p) => !p.merged_into && !p.hidden);
  setText(document.getElementById("count-proposals"), String(visible.length));
  setText(document.getElementById("count-comments"), String([...model.comments.values()].filter((c) => !c.hidden).length));
  setText(document.getElementById("count-ballots"),
    round && round.kind === "vote" ? String(model.facilitator.ballots[String(round.id)] || 0) : "–");
}

function keyed(map, id, template, setup) {
  let node = map.get(id);
  if (!node) {
    node = uniqueIds(clone(template), String(id));
    setup(node);
    map.set(id, node);
  }
  return node;
}

function renderRounds() {
  const tbody = document.getElementById("rounds");
  if (!tbody.dataset.live) {
    tbody.replaceChildren();
    tbody.dataset.live = "1";
  }
  const all = store.rounds();
  const drafts = all.filter((r) => r.state === "draft").map((r) => r.id);
  const base = root.dataset.resultsUrl;
  const rows = all.map((r, index) => {
    const tr = keyed(nodes.rounds, r.id, "tpl-round", (node) => {
      node.id = `round-${r.id}`;
      node.dataset.id = String(r.id);
      for (const input of node.querySelectorAll('[data-slot="round"]')) input.value = r.id;
      if (r.method) slot(node, "recount-method").value = r.method;
      slot(node, "recount-seats").value = String(r.seats || 1);
    });
    setText(slot(tr, "position"), String(index + 1));
    showText(slot(tr, "title"), r, "title", { keep: true });
    const title = shown(r, "title");
    for (const name of ["up", "down", "open", "close", "publish", "results", "recount", "words", "schedule", "save-schedule"]) {
      setText(slot(tr, `title-${name}`), `: ${title}`);
      markLanguage(slot(tr, `title-${name}`), pick(r, "title").lang);
    }
    // A title or prompt written in one language only is marked before the round opens (docs/protocol.md).
    const missing = missingLanguages(r, ["title", "prompt"]);
    fill(tr, "missing", missing.length ? t(`missing_${missing.includes("cy") ? "cy" : "en"}`) : "");
    renderWords(tr, r);
    renderSchedule(tr, r);
    const meta = [t(`kind_${r.kind}`)];
    if (r.kind === "vote") {
      if (r.state !== "draft") meta.push(t("on_ballot", { n: (r.ballot || []).length }));
      if (r.state !== "draft") meta.push(t("ballots_cast", { n: model.facilitator.ballots[String(r.id)] || 0 }));
    }
    setText(slot(tr, "meta"), meta.join(" · "));
    const counted = r.state === "closed" && r.result;
    const failed = Boolean(counted && r.result.outcome === "count_failed");
    fill(tr, "counted", counted ? outcomeText(r.result) : "").classList.toggle("round-counted--failed", failed);
    slot(tr, "recount").hidden = !failed;
    const publish = slot(tr, "publish");
    const differing = counted && differencesOf(r).length > 0;
    publish.disabled = failed || differing; // the server refuses both: a failed count, or typings that differ
    if (failed) publish.setAttribute("aria-describedby", `recount-hint-${r.id}`);
    else if (differing) publish.setAttribute("aria-describedby", `differences-hint-${r.id}`);
    else publish.removeAttribute("aria-describedby");
    const state = slot(tr, "state");
    state.className = `tag tag--${r.state}`;
    setText(state, t(`state_${r.state}`));
    const at = drafts.indexOf(r.id);
    slot(tr, "actions-draft").hidden = r.state !== "draft";
    slot(tr, "up").hidden = at <= 0;
    slot(tr, "down").hidden = at < 0 || at === drafts.length - 1;
    slot(tr, "actions-open").hidden = r.state !== "open";
    slot(tr, "actions-closed").hidden = !(r.state === "closed" && r.kind === "vote");
    const link = slot(tr, "results-link");
    link.hidden = r.state !== "published";
    link.href = base.replace(/\/0\/$/, `/${r.id}/`);
    return tr;
  });
  placeInOrder(tbody, rows);
  tick();
}

// The round's words in both languages, in its "Change the words" form (never over what is being typed).
function renderWords(tr, r) {
  const form = slot(tr, "words");
  if (form.contains(document.activeElement)) return;
  for (const field of ["title", "title_cy", "prompt", "prompt_cy"]) {
    const input = slot(form, `words-${field}`);
    if (input.dataset.was !== (r[field] || "")) {
      input.value = r[field] || "";
      input.dataset.was = r[field] || "";
    }
  }
}

// A round's schedule: in words under its title (a draft's), and in its "Schedule" form (never over what is being typed).
function renderSchedule(tr, r) {
  const draft = r.state === "draft";
  const words = [];
  if (draft && r.opens_at) words.push(t("opens_on", { when: ukWhen(r.opens_at, t) }));
  if (draft && r.closes_at) words.push(t("closes_on", { when: ukWhen(r.closes_at, t) }));
  fill(tr, "schedule-text", words.join(" · "));
  const box = slot(tr, "schedule");
  box.hidden = !(draft || r.state === "open");
  slot(box, "schedule-opens").hidden = !draft;
  slot(box, "opens-at").disabled = !draft; // an open round's opening time is history: not sent
  slot(box, "schedule-publish").hidden = r.kind !== "vote";
  if (box.contains(document.activeElement)) return;
  for (const [name, value] of [["opens-at", r.opens_at], ["closes-at", r.closes_at]]) {
    const input = slot(box, name);
    const local = value ? ukLocal(value) : "";
    if (input.dataset.was !== local) {
      input.value = local;
      input.dataset.was = local;
    }
  }
  slot(box, "auto-publish").checked = Boolean(r.auto_publish);
}

// The open round's countdown, in its row (the server closes an auto-closing round; the console only shows it).
function tick() {
  const round = store.current();
  const tr = round && nodes.rounds.get(round.id);
  for (const row of nodes.rounds.values()) if (row !== tr) slot(row, "timer").hidden = true;
  countdown.show(tr && slot(tr, "timer"), tr ? round : null);
}

function renderPaper() {
  const section = document.getElementById("paper");
  const round = store.current();
  section.hidden = !round || round.kind !== "vote";
  if (section.hidden) return;
  const form = section.querySelector("form");
  slot(form, "round").value = round.id;
  const ids = round.ballot || [];
  const key = `${round.id}:${ids.join(",")}`;
  const box = document.getElementById("paper-rows");
  if (key !== paperKey) {
    paperKey = key;
    box.replaceChildren(...ids.map((id) => {
      const row = uniqueIds(clone("tpl-paper-row"), String(id));
      const input = row.querySelector("input");
      input.name = `rank_${id}`;
      input.max = String(ids.length);
      return row;
    }));
  }
  for (const id of ids) {
    const p = model.proposals.get(id);
    const label = box.querySelector(`label[for="paper-${id}"]`);
    setText(label, p && p.title ? p.title : `#${id}`);
    markLanguage(label, p && p.language);
  }
}

function renderSlips() {
  const list = document.getElementById("paper-slips");
  if (!list.dataset.live) {
    list.replaceChildren();
    list.dataset.live = "1";
  }
  const numbers = new Map();
  const items = [];
  for (const slip of [...(model.facilitator.paper_slips || [])].sort((a, b) => a.id - b.id)) {
    numbers.set(slip.round, (numbers.get(slip.round) || 0) + 1);
    const n = slip.number || numbers.get(slip.round);
    const round = model.rounds.get(slip.round);
    if (!round || !["open", "closed"].includes(round.state)) continue; // published: the count is final
    const li = keyed(nodes.slips, slip.id, "tpl-slip", (node) => {
      node.id = `slip-${slip.id}`;
      node.dataset.id = String(slip.id);
      slot(node, "id").value = slip.id;
    });
    const extra = [slip.card ? t("slip_card", { n: slip.card }) : "", slip.entry_pass === 2 ? t("slip_check") : ""].filter(Boolean);
    const label = t("slip_label", { n, round: shown(round, "title") }) + (extra.length ? ` (${extra.join(", ")})` : "");
    setText(slot(li, "label"), label);
    setText(slot(li, "label-reason"), `: ${label}`);
    setText(slot(li, "label-button"), `: ${label}`);
    setText(slot(li, "ranking"), slip.ranking.map((id, i) => `${i + 1}. ${titleOf(id)}`).join(", "));
    setText(slot(li, "receipt"), slip.receipt);
    li.classList.toggle("slip--voided", slip.voided);
    fill(li, "voided", slip.voided ? t("voided", { reason: slip.void_reason }) : "");
    slot(li, "void").hidden = slip.voided;
    items.push(li);
  }
  placeInOrder(list, items);
  document.getElementById("slips").hidden = items.length === 0;
}

// --- who may vote --------------------------------------------------------------------------------

let shownElig = ""; // the server's last settings, so a choice being made is not overwritten by an unrelated refresh

function renderEligibility() {
  const session = model.session;
  const fac = model.facilitator;
  const mode = session.eligibility || "open";
  const form = document.getElementById("elig-form");
  const key = `${mode}|${session.uncarded_may_contribute}|${session.double_entry}`;
  if (key !== shownElig) {
    shownElig = key;
    for (const radio of form.elements.mode) radio.checked = radio.value === mode;
    form.elements.uncarded_may_contribute.checked = Boolean(session.uncarded_may_contribute);
    form.elements.double_entry.checked = Boolean(session.double_entry);
  }
  const locked = Boolean(fac.eligibility_locked);
  document.getElementById("elig-fields").disabled = locked;
  document.getElementById("elig-locked").hidden = !locked;
  for (const name of ["cards", "signin", "admission"]) document.getElementById(`elig-${name}`).hidden = mode !== name;
  document.getElementById("paper-card-box").hidden = mode !== "cards";
  document.getElementById("paper-pass-box").hidden = !session.double_entry;
  const cards = cardFigures();
  setText(document.getElementById("cards-counts"), t("cards_counts", cards));
  renderVoters(fac.voters || []);
  renderQueue(fac.admission_queue || { items: [], total: 0 });
}

function cardFigures() {
  const rec = model.facilitator.reconciliation || {};
  const issued = (model.facilitator.cards || {}).issued || 0;
  const online = rec.cards_used_online || 0;
  const paper = rec.cards_used_on_paper || 0;
  return { issued, online, paper, unused: Math.max(0, issued - online - paper) };
}

function renderVoters(usernames) {
  const list = document.getElementById("voters");
  const items = usernames.map((name) => {
    let li = nodes.voters.get(name) || list.querySelector(`li[data-username="${CSS.escape(name)}"]`);
    if (!li) {
      li = clone("tpl-voter");
      li.dataset.username = name;
      slot(li, "id").value = name;
      setText(slot(li, "username"), name);
      setText(slot(li, "username-button"), `: ${name}`);
    }
    nodes.voters.set(name, li);
    return li;
  });
  placeInOrder(list, items);
  document.getElementById("no-voters").hidden = items.length > 0;
}

function renderQueue(queue) {
  const list = document.getElementById("admission-queue");
  const people = [...queue.items, ...[...model.moreWaiting.values()].filter((p) => !queue.items.some((q) => q.id === p.id))];
  const items = people.map((person) => {
    let li = nodes.waiting.get(person.id) || document.getElementById(`waiting-${person.id}`);
    if (!li) {
      li = clone("tpl-waiting");
      li.id = `waiting-${person.id}`;
      li.dataset.id = String(person.id);
      for (const input of li.querySelectorAll('[data-slot="id"]')) input.value = person.id;
      const name = person.name || t("anonymous");
      setText(slot(li, "name"), name);
      setText(slot(li, "name-admit"), `: ${name}`);
      setText(slot(li, "name-refuse"), `: ${name}`);
      const time = slot(li, "time");
      time.setAttribute("datetime", person.joined_at || "");
      setText(time, person.joined_at ? new Date(person.joined_at).toTimeString().slice(0, 5) : "");
    }
    nodes.waiting.set(person.id, li);
    return li;
  });
  placeInOrder(list, items);
  setText(document.getElementById("queue-total"), `(${Math.max(queue.total, items.length)})`);
  document.getElementById("no-queue").hidden = items.length > 0;
  document.getElementById("queue-more-box").hidden = queue.total <= items.length;
}

// --- reconciliation of closed votes -------------------------------------------------------------

function figuresOf(round) {
  const fresh = model.facilitator.reconciliation;
  if (fresh && fresh.round === round.id) return fresh;
  return (round.result && round.result.eligibility) || null;
}

function differencesOf(round) {
  const figures = figuresOf(round);
  return (figures && figures.double_entry_differences) || [];
}

function rankingText(ranking) {
  return ranking && ranking.length ? ranking.map((id, i) => `${i + 1}. ${titleOf(id)}`).join(", ") : "–";
}

function renderReconciliation() {
  const box = document.getElementById("reconciliations");
  if (!box.dataset.live) {
    box.replaceChildren();
    box.dataset.live = "1";
  }
  const items = [];
  for (const round of store.rounds()) {
    const figures = round.kind === "vote" && round.state === "closed" ? figuresOf(round) : null;
    if (!figures) continue;
    const panel = keyed(nodes.reconciliations, round.id, "tpl-reconciliation", (node) => {
      node.id = `reconciliation-${round.id}`;
      node.dataset.id = String(round.id);
    });
    setText(slot(panel, "title"), t("reconciliation_title", { round: shown(round, "title") }));
    for (const name of ["cards_issued", "cards_used_online", "cards_used_on_paper", "cards_unused", "online_ballots",
      "paper_slips", "ballots_counted", "participants", "devices"]) setText(slot(panel, name), String(figures[name] ?? 0));
    const voided = figures.slips_voided || [];
    setText(slot(panel, "voided_count"), String(voided.length));
    for (const pair of panel.querySelectorAll("[data-group]")) pair.hidden = figures.mode !== pair.dataset.group;
    const reasons = slot(panel, "voided");
    reasons.replaceChildren(...voided.map((v) => {
      const li = document.createElement("li");
      li.textContent = t("slip_voided_reason", { n: v.number ?? "–", reason: v.reason });
      return li;
    }));
    const diffs = figures.double_entry_differences || [];
    slot(panel, "differences-box").hidden = diffs.length === 0;
    slot(panel, "differences-hint").id = `differences-hint-${round.id}`;
    slot(panel, "differences").replaceChildren(...diffs.map((d) => {
      const li = document.createElement("li");
      li.textContent = t("difference", { n: d.slip, first: rankingText(d.first), second: rankingText(d.second) });
      return li;
    }));
    items.push(panel);
  }
  placeInOrder(box, items);
  document.getElementById("reconciliation").hidden = items.length === 0;
}

function renderEnd() {
  const box = document.getElementById("end-box");
  if (!model.ended || !box) return;
  const note = document.getElementById("session-ended");
  const hadFocus = box.contains(document.activeElement);
  box.remove();
  note.hidden = false;
  if (hadFocus) {
    note.tabIndex = -1;
    note.focus();
  }
  announce(announcer, note.textContent);
}

function renderFlags() {
  const list = document.getElementById("flags");
  if (!list.dataset.live) {
    list.replaceChildren();
    list.dataset.live = "1";
  }
  const items = model.facilitator.flags.map((flag) => {
    const li = keyed(nodes.flags, flag.id, "tpl-flag", (node) => {
      node.id = `flag-${flag.id}`;
      slot(node, "id").value = flag.id;
      setText(slot(node, "flag-number"), String(flag.id));
    });
    const target = slot(li, "target");
    if (flag.proposal) {
      target.href = `#mod-proposal-${flag.proposal}`;
      setText(target, t("flag_proposal", { id: flag.proposal }));
      const p = model.proposals.get(flag.proposal);
      fill(li, "what", p && p.title ? `“${p.title}”` : "");
    } else {
      target.href = `#mod-comment-${flag.comment}`;
      setText(target, t("flag_comment", { id: flag.comment }));
      const c = model.comments.get(flag.comment);
      fill(li, "what", c && c.body ? `“${c.body.slice(0, 80)}”` : "");
    }
    setText(slot(li, "by"), t("flag_by", { name: person(t, flag.by) }));
    fill(li, "reason", flag.reason ? `: “${flag.reason}”` : "");
    for (const a of li.querySelectorAll("[data-slot]")) if (a.dataset.slot === "what") a.hidden = !a.textContent;
    return li;
  });
  placeInOrder(list, items);
  document.getElementById("no-flags").hidden = items.length > 0;
}

function renderModeration() {
  const list = document.getElementById("mod-proposals");
  if (!list.dataset.live) {
    list.replaceChildren();
    list.dataset.live = "1";
  }
  // Merged duplicates stay listed, so a merge can be undone.
  const visible = [...model.proposals.values()].sort((a, b) => a.id - b.id);
  const choices = visible.filter((p) => !p.hidden && !p.merged_into);
  const flagged = new Set(model.facilitator.flags.map((f) => f.proposal).filter(Boolean));
  const items = visible.map((p) => {
    const li = keyed(nodes.proposals, p.id, "tpl-mod-proposal", (node) => {
      node.id = `mod-proposal-${p.id}`;
      node.dataset.id = String(p.id);
      for (const input of node.querySelectorAll('[data-slot="id"]')) input.value = p.id;
    });
    const hiddenWords = model.facilitator.hidden_proposals[String(p.id)] || {};
    const title = p.hidden ? hiddenWords.title || "" : p.title;
    li.classList.toggle("mod-item--hidden", Boolean(p.hidden));
    li.classList.toggle("mod-item--flagged", flagged.has(p.id));
    li.classList.toggle("mod-item--merged", Boolean(p.merged_into));
    setText(slot(li, "title"), title);
    markLanguage(slot(li, "title"), p.hidden ? hiddenWords.language : p.language);
    setText(slot(li, "author"), person(t, p.hidden ? hiddenWords.author : p.author));
    fill(li, "merged-note", p.merged_into ? t("merged_into", { id: p.merged_into, title: titleOf(p.merged_into) }) : "");
    renderUnmerge(li, p, title);
    setText(slot(li, "number"), String(p.id));
    setText(slot(li, "title-restore"), `: ${title}`);
    fill(li, "hidden-note", p.hidden ? t("hidden_stub", { reason: reasonText(t, p.reason) }) : "");
    slot(li, "restore").hidden = !p.hidden;
    slot(li, "actions").hidden = Boolean(p.hidden || p.merged_into);
    const retitle = slot(li, "retitle");
    if (!p.hidden && document.activeElement !== retitle && retitle.dataset.was !== p.title) {
      retitle.value = p.title;
      retitle.dataset.was = p.title;
    }
    const into = slot(li, "into");
    const options = choices.filter((o) => o.id !== p.id).map((o) => [String(o.id), `#${o.id} ${o.title.slice(0, 60)}`]);
    if ([...into.options].map((o) => o.value + o.text).join() !== options.map(([v, text]) => v + text).join()) {
      const chosen = into.value;
      into.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
      if (options.some(([value]) => value === chosen)) into.value = chosen;
    }
    renderComments(li, p);
    return li;
  });
  placeInOrder(list, items);
  document.getElementById("no-mod-proposals").hidden = items.length > 0;
}

// Only a merged proposal carries the undo form (so each item has one "reason" field to fill at a time).
function renderUnmerge(li, p, title) {
  let form = slot(li, "unmerge");
  if (p.merged_into && !form) {
    form = uniqueIds(clone("tpl-unmerge"), String(p.id));
    slot(form, "id").value = p.id;
    slot(li, "merged-note").after(form);
  } else if (!p.merged_into && form) {
    const hadFocus = form.contains(document.activeElement);
    form.remove();
    if (hadFocus) queueMicrotask(() => slot(li, "retitle").focus()); // once the item's actions are shown again
    return;
  }
  if (form) setText(slot(form, "title-unmerge"), `: ${title}`);
}

function renderComments(li, p) {
  const thread = [...model.comments.values()].filter((c) => c.proposal === p.id)
    .sort((a, b) => (a.parent || a.id) - (b.parent || b.id) || a.id - b.id);
  const box = slot(li, "comments-box");
  box.hidden = thread.length === 0;
  setText(slot(li, "comment-count"), String(thread.length));
  const flagged = new Set(model.facilitator.flags.map((f) => f.comment).filter(Boolean));
  if (thread.some((c) => flagged.has(c.id))) box.open = true;
  const items = thread.map((c) => {
    const item = keyed(nodes.comments, c.id, "tpl-mod-comment", (node) => {
      node.id = `mod-comment-${c.id}`;
      for (const input of node.querySelectorAll('[data-slot="id"]')) input.value = c.id;
    });
    const hiddenWords = model.facilitator.hidden_comments[String(c.id)] || {};
    const words = c.hidden ? hiddenWords.body || "" : c.body;
    item.classList.toggle("mod-comment--hidden", Boolean(c.hidden));
    item.classList.toggle("mod-item--flagged", flagged.has(c.id));
    setText(slot(item, "author"), person(t, c.hidden ? hiddenWords.author : c.author));
    for (const name of ["number", "number-restore", "number-hide"]) setText(slot(item, name), String(c.id));
    setText(slot(item, "body"), words);
    markLanguage(slot(item, "body"), c.hidden ? hiddenWords.language : c.language);
    fill(item, "hidden-note", c.hidden ? t("hidden_stub", { reason: reasonText(t, c.reason) }) : "");
    slot(item, "restore").hidden = !c.hidden;
    slot(item, "hide").hidden = Boolean(c.hidden);
    return item;
  });
  placeInOrder(slot(li, "comments"), items);
}

// --- sending -------------------------------------------------------------------------------

const INTS = new Set(["round", "id", "into", "minutes", "seats", "max_per_participant", "proposal", "comment", "count", "entry_pass"]);
const SKIP = new Set(["action", "ref", "next", "csrfmiddlewaretoken", "confirm"]);

function payloadFrom(form, action) {
  if (action === "round.reorder") {
    const id = Number(form.closest("tr").dataset.id);
    const order = store.rounds().filter((r) => r.state === "draft").map((r) => r.id);
    const at = order.indexOf(id);
    const to = form.dataset.move === "up" ? at - 1 : at + 1;
    if (at < 0 || to < 0 || to >= order.length) return null;
    [order[at], order[to]] = [order[to], order[at]];
    return { order };
  }
  const payload = {};
  const ranks = [];
  for (const [name, value] of Object.entries(formFields(form))) {
    if (SKIP.has(name)) continue;
    if (name.startsWith("rank_")) {
      if (value !== "") ranks.push([Number(value), Number(name.slice(5))]);
    } else if (INTS.has(name)) {
      if (value !== "") payload[name] = Number(value);
    } else if (name === "auto_close" || name === "local") {
      payload[name] = true; // a ticked checkbox (an unticked one is not in the form data), or the schedule's UK-time flag
    } else {
      payload[name] = value;
    }
  }
  if (action === "ballot.enter_paper") {
    if (new Set(ranks.map(([rank]) => rank)).size !== ranks.length) throw new Error(t("same_rank"));
    if (!ranks.length) throw new Error(t("empty_slip"));
    payload.ranking = ranks.sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  }
  if (action === "ballot.enter_paper" && !payload.card) delete payload.card;
  if (action === "session.set_eligibility") {
    // Unticked boxes are not in the form data: say false, as the form fallback does.
    payload.uncarded_may_contribute = form.elements.uncarded_may_contribute.checked;
    payload.double_entry = form.elements.double_entry.checked;
  }
  if (action === "round.schedule") {
    payload.auto_publish = form.elements.auto_publish.checked; // unticked: say false, as the form fallback does
  }
  if (action === "round.create" && payload.kind !== "vote") {
    delete payload.method;
    delete payload.seats;
  }
  if (action === "round.create" && payload.method !== "stv") delete payload.seats; // the others elect one
  return payload;
}

// The add-round form asks only what applies: a method for votes, a number of winners for STV.
function showRoundFields() {
  const kind = addForm.elements.kind.value;
  const method = addForm.elements.method.value;
  for (const group of addForm.querySelectorAll("[data-show]")) {
    group.hidden = kind !== "vote" || (group.dataset.show === "stv" && method !== "stv");
  }
}

// Where each form was when sent: its row or item may have replaced the form by the time the reply comes.
const homes = new WeakMap();

function say(form, text, error = false) {
  const near = form.closest("tr, li, section") || homes.get(form);
  feedback(form.querySelector('[data-slot="feedback"]') || (near && near.querySelector('[data-slot="feedback"]')) || globalFeedback, text, error);
}

async function submit(form) {
  const action = form.dataset.action;
  let payload;
  try {
    payload = payloadFrom(form, action);
  } catch (error) {
    say(form, error.message, true);
    return;
  }
  if (!payload) return;
  homes.set(form, form.closest("tr, li, section"));
  try {
    const ack = await sendForm(socket, t, form, action, payload, (text) => say(form, text));
    done(form, action, ack || {});
  } catch (error) {
    say(form, error.message || "", true);
  }
}

function done(form, action, ack) {
  if (action === "ballot.enter_paper") {
    slips += 1;
    setText(document.getElementById("paper-count"), String(slips));
    say(form, t("slip_recorded", { n: ack.number || slips }));
    const pass = form.elements.entry_pass ? form.elements.entry_pass.value : "1";
    form.reset();
    if (form.elements.entry_pass) form.elements.entry_pass.value = pass; // one person types one pile
    const first = form.querySelector('input[type="number"]');
    if (first) first.focus();
    return;
  }
  const elig = { "session.set_eligibility": "eligibility_saved", "voter.add": "voter_added", "voter.remove": "voter_removed",
    "participant.admit": "admitted", "participant.refuse": "refused" }[action];
  if (action === "session.set_eligibility") {
    say(form, t(elig));
    return;
  }
  if (elig) {
    // A removed, admitted or refused item leaves the list: say so beside the list, not inside the item.
    const el = document.querySelector(action.startsWith("voter.") ? "#elig-signin .elig-feedback" : "#elig-admission .elig-feedback");
    if (action === "voter.add") form.reset();
    setText(el, t(elig));
    return;
  }
  if (action === "cards.generate") {
    say(form, t("cards_made", { n: ack.count || "" }));
    return;
  }
  if (action === "round.create") {
    form.reset();
    showRoundFields();
    say(form, t("round_created"));
    return;
  }
  if (action === "round.schedule") {
    say(form, t("schedule_saved"));
    return;
  }
  if (action === "round.update") {
    say(form, t("words_saved"));
    return;
  }
  if (action === "round.recount") {
    say(form, t("recounted"));
    return;
  }
  if (action === "session.end") {
    say(form, t("session_ended"));
    return;
  }
  if (action === "ballot.void_paper" || action === "proposal.unmerge") {
    form.reset();
    say(form, t(action === "ballot.void_paper" ? "voided_done" : "unmerged_done"));
    return;
  }
  if (action.endsWith(".hide")) form.reset();
  say(form, t("done"));
}

root.addEventListener("submit", (e) => {
  const form = e.target.closest("form[data-action]");
  if (!form) return;
  e.preventDefault();
  if (form === endForm && endDialog) {
    endDialog.returnValue = "";
    endDialog.showModal(); // ending is confirmed first; the dialog's buttons close it with their value
    return;
  }
  submit(form);
});

if (endForm && endDialog) {
  document.getElementById("end-confirm-box").required = false; // the box confirms only without JavaScript
  endDialog.addEventListener("close", () => {
    document.getElementById("end-button").focus();
    if (endDialog.returnValue === "end") submit(endForm);
  });
}
addForm.addEventListener("change", showRoundFields);
showRoundFields();

window.setInterval(tick, 1000);
socket.start();
