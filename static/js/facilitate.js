// The facilitator console: run of show, live counts, moderation queue and paper ballot entry,
// kept up to date over the session socket. Every form also works as a plain POST without JS.

import { announce, clone, fill, formFields, loadStrings, newRef, person, reasonText, setText, slot, uniqueIds } from "./lib/dom.js";
import { LiveSocket, showStatus } from "./lib/live-socket.js";

const root = document.getElementById("live");
const t = loadStrings();
const announcer = document.getElementById("announcer");
const globalFeedback = document.getElementById("console-feedback");
const indicator = document.getElementById("connection");

const model = {
  rounds: new Map(),
  proposals: new Map(),
  comments: new Map(),
  fac: { participants: 0, ballots: {}, flags: [], hidden_proposals: {}, hidden_comments: {} },
  presence: null,
};
const nodes = { rounds: new Map(), proposals: new Map(), comments: new Map(), flags: new Map() };
let paperKey = "";
let slips = 0;

const socket = new LiveSocket({
  code: root.dataset.code,
  onSnapshot: snapshot,
  onEvent: event,
  onPresence: (counts) => {
    model.presence = counts;
    renderStats();
  },
  onStatus: (status, waiting) => showStatus(indicator, t, status, waiting),
});

function byId(items) {
  return new Map(items.map((item) => [item.id, item]));
}

function snapshot(state) {
  model.rounds = byId(state.rounds);
  model.proposals = byId(state.proposals);
  model.comments = byId(state.comments);
  model.fac = state.facilitator;
  render();
}

function event({ type, payload }) {
  const fac = model.fac;
  switch (type) {
    case "participant.joined":
      fac.participants += 1;
      break;
    case "round.counted": {
      const round = model.rounds.get(payload.round);
      if (round) round.result = payload.result;
      break;
    }
    case "round.reordered": {
      // As the server does: drafts come after every round already run, in the new order.
      const start = [...model.rounds.values()].filter((r) => r.state !== "draft").length + 1;
      payload.order.forEach((id, i) => {
        const round = model.rounds.get(id);
        if (round) round.position = start + i;
      });
      break;
    }
    case "ballot.cast":
    case "ballot.paper_entered":
      fac.ballots[String(payload.round)] = payload.ballots;
      break;
    case "flag.submitted":
      fac.flags = [...fac.flags.filter((f) => f.id !== payload.flag.id), payload.flag];
      announce(announcer, t("new_flag"));
      break;
    case "flag.resolved":
      fac.flags = fac.flags.filter((f) => f.id !== payload.flag);
      break;
    default:
      if (type.startsWith("round.") && payload.round && typeof payload.round === "object") {
        const old = model.rounds.get(payload.round.id) || {};
        model.rounds.set(payload.round.id, { ...old, ...payload.round, ...(payload.result ? { result: payload.result } : {}) });
      } else if (type.startsWith("proposal.")) {
        for (const key of ["proposal", "into"]) {
          const p = payload[key];
          if (!p) continue;
          const old = model.proposals.get(p.id);
          // Keep the words of a proposal being hidden, so it can be judged for restoring.
          if (p.hidden && old && !old.hidden) fac.hidden_proposals[String(p.id)] = { title: old.title, body: old.body };
          model.proposals.set(p.id, p);
          if (p.hidden) fac.flags = fac.flags.filter((f) => f.proposal !== p.id);
        }
        if (type === "proposal.merged") {
          for (const c of model.comments.values()) if (c.proposal === payload.proposal.id) c.proposal = payload.into.id;
        }
        if (type === "proposal.submitted") announce(announcer, t("new_proposal", { title: payload.proposal.title }));
      } else if (type.startsWith("comment.") && payload.comment) {
        const c = payload.comment;
        const old = model.comments.get(c.id);
        if (c.hidden && old && !old.hidden) fac.hidden_comments[String(c.id)] = { body: old.body };
        if (c.hidden) fac.flags = fac.flags.filter((f) => f.comment !== c.id);
        model.comments.set(c.id, c);
      }
  }
  render();
}

function current() {
  for (const round of model.rounds.values()) if (round.state === "open") return round;
  return null;
}

function rounds() {
  return [...model.rounds.values()].sort((a, b) => a.position - b.position || a.id - b.id);
}

// --- rendering -----------------------------------------------------------------------------

function render() {
  renderStats();
  renderRounds();
  renderPaper();
  renderFlags();
  renderModeration();
}

function renderStats() {
  const round = current();
  const presence = model.presence;
  if (presence) {
    setText(document.getElementById("count-connected"), String(presence.participants));
    setText(document.getElementById("count-facilitators"), presence.facilitators ? t("facilitating", { m: presence.facilitators }) : "");
  }
  setText(document.getElementById("count-participants"), String(model.fac.participants));
  const visible = [...model.proposals.values()].filter((p) => !p.merged_into && !p.hidden);
  setText(document.getElementById("count-proposals"), String(visible.length));
  setText(document.getElementById("count-comments"), String([...model.comments.values()].filter((c) => !c.hidden).length));
  setText(document.getElementById("count-ballots"),
    round && round.kind === "vote" ? String(model.fac.ballots[String(round.id)] || 0) : "–");
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

function place(parent, wanted) {
  const focused = document.activeElement;
  wanted.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] || null);
  });
  while (parent.children.length > wanted.length) parent.lastElementChild.remove();
  if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
}

function renderRounds() {
  const tbody = document.getElementById("rounds");
  if (!tbody.dataset.live) {
    tbody.replaceChildren();
    tbody.dataset.live = "1";
  }
  const all = rounds();
  const drafts = all.filter((r) => r.state === "draft").map((r) => r.id);
  const base = root.dataset.resultsUrl;
  const rows = all.map((r, index) => {
    const tr = keyed(nodes.rounds, r.id, "tpl-round", (node) => {
      node.id = `round-${r.id}`;
      node.dataset.id = String(r.id);
      for (const input of node.querySelectorAll('[data-slot="round"]')) input.value = r.id;
    });
    setText(slot(tr, "position"), String(index + 1));
    setText(slot(tr, "title"), r.title);
    for (const name of ["up", "down", "open", "close", "publish", "results"]) setText(slot(tr, `title-${name}`), `: ${r.title}`);
    const meta = [t(`kind_${r.kind}`)];
    if (r.kind === "vote") {
      if (r.state !== "draft") meta.push(t("on_ballot", { n: (r.ballot || []).length }));
      if (r.state !== "draft") meta.push(t("ballots_cast", { n: model.fac.ballots[String(r.id)] || 0 }));
    }
    setText(slot(tr, "meta"), meta.join(" · "));
    fill(tr, "counted", r.state === "closed" && r.result ? t("counted", { names: (r.result.winners || []).join(", ") }) : "");
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
  place(tbody, rows);
}

function renderPaper() {
  const section = document.getElementById("paper");
  const round = current();
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
    setText(box.querySelector(`label[for="paper-${id}"]`), p && p.title ? p.title : `#${id}`);
  }
}

function renderFlags() {
  const list = document.getElementById("flags");
  if (!list.dataset.live) {
    list.replaceChildren();
    list.dataset.live = "1";
  }
  const items = model.fac.flags.map((flag) => {
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
  place(list, items);
  document.getElementById("no-flags").hidden = items.length > 0;
}

function renderModeration() {
  const list = document.getElementById("mod-proposals");
  if (!list.dataset.live) {
    list.replaceChildren();
    list.dataset.live = "1";
  }
  const visible = [...model.proposals.values()].filter((p) => !p.merged_into).sort((a, b) => a.id - b.id);
  const choices = visible.filter((p) => !p.hidden);
  const flagged = new Set(model.fac.flags.map((f) => f.proposal).filter(Boolean));
  const items = visible.map((p) => {
    const li = keyed(nodes.proposals, p.id, "tpl-mod-proposal", (node) => {
      node.id = `mod-proposal-${p.id}`;
      node.dataset.id = String(p.id);
      for (const input of node.querySelectorAll('[data-slot="id"]')) input.value = p.id;
    });
    const hiddenWords = model.fac.hidden_proposals[String(p.id)] || {};
    const title = p.hidden ? hiddenWords.title || "" : p.title;
    li.classList.toggle("mod-item--hidden", Boolean(p.hidden));
    li.classList.toggle("mod-item--flagged", flagged.has(p.id));
    setText(slot(li, "title"), title);
    setText(slot(li, "author"), person(t, p.author));
    setText(slot(li, "number"), String(p.id));
    setText(slot(li, "title-restore"), `: ${title}`);
    fill(li, "hidden-note", p.hidden ? t("hidden_stub", { reason: reasonText(t, p.reason) }) : "");
    slot(li, "restore").hidden = !p.hidden;
    slot(li, "actions").hidden = Boolean(p.hidden);
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
  place(list, items);
  document.getElementById("no-mod-proposals").hidden = items.length > 0;
}

function renderComments(li, p) {
  const thread = [...model.comments.values()].filter((c) => c.proposal === p.id)
    .sort((a, b) => (a.parent || a.id) - (b.parent || b.id) || a.id - b.id);
  const box = slot(li, "comments-box");
  box.hidden = thread.length === 0;
  setText(slot(li, "comment-count"), String(thread.length));
  const flagged = new Set(model.fac.flags.map((f) => f.comment).filter(Boolean));
  if (thread.some((c) => flagged.has(c.id))) box.open = true;
  const items = thread.map((c) => {
    const item = keyed(nodes.comments, c.id, "tpl-mod-comment", (node) => {
      node.id = `mod-comment-${c.id}`;
      for (const input of node.querySelectorAll('[data-slot="id"]')) input.value = c.id;
    });
    const words = c.hidden ? (model.fac.hidden_comments[String(c.id)] || {}).body || "" : c.body;
    item.classList.toggle("mod-comment--hidden", Boolean(c.hidden));
    item.classList.toggle("mod-item--flagged", flagged.has(c.id));
    setText(slot(item, "author"), person(t, c.author));
    for (const name of ["number", "number-restore", "number-hide"]) setText(slot(item, name), String(c.id));
    setText(slot(item, "body"), words);
    fill(item, "hidden-note", c.hidden ? t("hidden_stub", { reason: reasonText(t, c.reason) }) : "");
    slot(item, "restore").hidden = !c.hidden;
    slot(item, "hide").hidden = Boolean(c.hidden);
    return item;
  });
  place(slot(li, "comments"), items);
}

// --- sending -------------------------------------------------------------------------------

const INTS = new Set(["round", "id", "into", "minutes", "seats", "max_per_participant", "proposal", "comment"]);
const SKIP = new Set(["action", "ref", "next", "csrfmiddlewaretoken"]);

function payloadFrom(form, action) {
  if (action === "round.reorder") {
    const id = Number(form.closest("tr").dataset.id);
    const order = rounds().filter((r) => r.state === "draft").map((r) => r.id);
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
    } else {
      payload[name] = value;
    }
  }
  if (action === "ballot.enter_paper") {
    if (new Set(ranks.map(([rank]) => rank)).size !== ranks.length) throw new Error(t("same_rank"));
    if (!ranks.length) throw new Error(t("empty_slip"));
    payload.ranking = ranks.sort((a, b) => a[0] - b[0]).map(([, id]) => id);
  }
  if (action === "round.create" && payload.kind !== "vote") {
    delete payload.method;
    delete payload.seats;
  }
  return payload;
}

function feedback(form, text, error = false) {
  const near = form.closest("tr, li, section");
  const el = form.querySelector('[data-slot="feedback"]') || (near && near.querySelector('[data-slot="feedback"]')) || globalFeedback;
  el.classList.toggle("form-feedback--error", error);
  el.textContent = text;
}

async function submit(form) {
  const action = form.dataset.action;
  let payload;
  try {
    payload = payloadFrom(form, action);
  } catch (error) {
    feedback(form, error.message, true);
    return;
  }
  if (!payload) return;
  const ref = form.dataset.pendingRef || newRef();
  form.dataset.pendingRef = ref;
  if (!socket.ready) feedback(form, t("queued"));
  try {
    await socket.send(action, payload, { ref });
    delete form.dataset.pendingRef;
    done(form, action);
  } catch (error) {
    delete form.dataset.pendingRef;
    feedback(form, error.message || "", true);
  }
}

function done(form, action) {
  if (action === "ballot.enter_paper") {
    slips += 1;
    setText(document.getElementById("paper-count"), String(slips));
    feedback(form, t("slip_recorded", { n: slips }));
    form.reset();
    const first = form.querySelector('input[type="number"]');
    if (first) first.focus();
    return;
  }
  if (action === "round.create") {
    form.reset();
    feedback(form, t("round_created"));
    return;
  }
  if (action.endsWith(".hide")) form.reset();
  feedback(form, t("done"));
}

root.addEventListener("submit", (e) => {
  const form = e.target.closest("form[data-action]");
  if (!form) return;
  e.preventDefault();
  submit(form);
});

socket.start();
