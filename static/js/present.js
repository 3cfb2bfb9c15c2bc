// The presenter screen: the room's current round, timer and proposals, live; once a vote is
// published, its count shown stage by stage (all at once when the viewer prefers less motion).

import { clock, clone, fill, loadStrings, setText, slot } from "./lib/dom.js";
import { LiveSocket, showStatus } from "./lib/live-socket.js";

const root = document.getElementById("live");
const t = loadStrings();
const indicator = document.getElementById("connection");
const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
const STEP_MS = 3500;

const model = { rounds: new Map(), proposals: new Map() };
let shownResult = null; // id of the round whose result is on screen
let stepTimer = null;

const socket = new LiveSocket({
  code: root.dataset.code,
  key: root.dataset.key, // the console's presenter key lets a room screen watch without signing in
  onSnapshot: (state) => {
    // A facilitator's browser also gets rounds in preparation: the room sees only what is public.
    model.rounds = new Map(state.rounds.filter((r) => r.state !== "draft").map((r) => [r.id, r]));
    model.proposals = new Map(state.proposals.map((p) => [p.id, p]));
    render();
  },
  onEvent: ({ type, payload }) => {
    if (type.startsWith("round.") && payload.round && typeof payload.round === "object" && payload.round.state !== "draft") {
      const old = model.rounds.get(payload.round.id) || {};
      const result = type === "round.published" ? { result: payload.result } : {};
      model.rounds.set(payload.round.id, { ...old, ...payload.round, ...result });
    } else if (type.startsWith("proposal.")) {
      for (const key of ["proposal", "into"]) if (payload[key]) model.proposals.set(payload[key].id, payload[key]);
    }
    render();
  },
  onStatus: (status, waiting) => {
    showStatus(indicator, t, status, waiting);
    if (status === "refused") {
      indicator.querySelector(".connection__text").textContent = t("refused_poll");
      window.setTimeout(() => window.location.reload(), 30000);
    }
  },
});

function current() {
  for (const round of model.rounds.values()) if (round.state === "open") return round;
  return null;
}

function render() {
  const round = current();
  const panel = document.getElementById("present-round");
  fill(panel, "kind", round ? t(`kind_${round.kind}`) : "");
  setText(slot(panel, "title"), round ? round.title : t("waiting_title"));
  fill(panel, "prompt", round ? round.prompt : "");
  tick();
  const list = document.getElementById("proposals");
  const titles = [...model.proposals.values()].filter((p) => !p.hidden && !p.merged_into).sort((a, b) => a.id - b.id);
  // Rebuild only when the list changed, so a projector does not flicker.
  if ([...list.children].map((li) => li.textContent).join("\n") !== titles.map((p) => p.title).join("\n")) {
    list.replaceChildren(...titles.map((p) => Object.assign(document.createElement("li"), { textContent: p.title })));
  }
  const published = [...model.rounds.values()].filter((r) => r.state === "published" && r.result);
  const latest = published.sort((a, b) => a.position - b.position).pop();
  // While a round runs, the room looks at it; between rounds the latest result takes the screen.
  document.getElementById("present-proposals").hidden = Boolean(latest && !round);
  const box = document.getElementById("present-results");
  box.hidden = !latest || Boolean(round);
  if (!box.hidden && shownResult !== latest.id) {
    shownResult = latest.id;
    play(latest);
  }
}

function tick() {
  const round = current();
  const el = slot(document.getElementById("present-round"), "timer");
  if (!round || !round.closes_at) {
    el.hidden = true;
    return;
  }
  const left = (Date.parse(round.closes_at) - Date.now()) / 1000;
  el.hidden = false;
  el.classList.toggle("timer--low", left <= 60);
  setText(el, left > 0 ? t("closes_in", { time: clock(left) }) : t("time_up"));
}

function play(round) {
  window.clearTimeout(stepTimer);
  const box = document.getElementById("present-results");
  const result = round.result;
  const stages = result.stages && result.stages.length ? result.stages : [{ stage: 1, votes: result.scores || {}, elected: result.winners || [], excluded: [] }];
  setText(slot(box, "heading"), t("results_title", { title: round.title }));
  const top = Math.max(1, ...stages.flatMap((s) => Object.values(s.votes || {}).map(Number)));
  const rows = new Map();
  const race = document.getElementById("race");
  race.replaceChildren();
  for (const name of Object.keys(stages[0].votes || {})) {
    const row = clone("tpl-race-row");
    setText(slot(row, "name"), name);
    rows.set(name, row);
    race.append(row);
  }
  const out = new Set();
  const show = (index) => {
    const stage = stages[index];
    setText(slot(box, "stage"), t("stage", { n: index + 1, total: stages.length }));
    const words = [];
    for (const [name, row] of rows) {
      const votes = stage.votes && name in stage.votes ? Number(stage.votes[name]) : null;
      setText(slot(row, "votes"), votes === null ? "" : String(stage.votes[name]));
      row.querySelector(".race__bar").style.width = `${votes === null ? 0 : (votes / top) * 100}%`;
      row.classList.toggle("race__row--excluded", out.has(name) || (stage.excluded || []).includes(name));
      row.classList.toggle("race__row--elected", (stage.elected || []).includes(name) || (result.winners || []).includes(name) && index === stages.length - 1);
    }
    for (const name of stage.elected || []) words.push(t("elected", { name }));
    for (const name of stage.excluded || []) {
      words.push(t("excluded", { name }));
      out.add(name);
    }
    setText(slot(box, "words"), words.join(" "));
    const last = index === stages.length - 1;
    fill(box, "winners", last ? t("chosen", { names: (result.winners || []).join(", ") }) : "");
    if (!last) stepTimer = window.setTimeout(() => show(index + 1), STEP_MS);
  };
  if (reduced.matches) {
    stages.slice(0, -1).forEach((s) => (s.excluded || []).forEach((name) => out.add(name)));
    show(stages.length - 1);
  } else {
    // Start from zero so the first stage grows in; later stages move from there.
    window.requestAnimationFrame(() => window.requestAnimationFrame(() => show(0)));
  }
}

window.setInterval(tick, 1000);
socket.start();
