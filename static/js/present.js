// The presenter screen: the room's current round, timer and proposals, live; once a vote is
// published, its count shown stage by stage (all at once when the viewer prefers less motion).

import { clone, fill, loadStrings, setText, slot } from "./lib/dom.js";
import { Countdown } from "./lib/forms.js";
import { LiveSocket, showStatus } from "./lib/live-socket.js";
import { SessionState } from "./lib/session-state.js";
import { markLanguage, shown, showText } from "./lib/text.js";

const root = document.getElementById("live");
const t = loadStrings();
const indicator = document.getElementById("connection");
const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
const STEP_MS = 3500;
const both = root.dataset.both === "1"; // a mixed room: the board's words in Welsh, then English (?both=1)

const store = new SessionState();
const model = store.state;
let shownResult = null; // id of the round whose result is on screen
let stepTimer = null;

const socket = new LiveSocket({
  code: root.dataset.code,
  key: root.dataset.key, // the console's presenter key lets a room screen watch without signing in
  onSnapshot: (state) => store.sync(state),
  onEvent: (event) => store.apply(event),
  onStatus: (status, waiting) => {
    showStatus(indicator, t, status, waiting);
    if (status === "refused") {
      indicator.querySelector(".connection__text").textContent = t("refused_poll");
      window.setTimeout(() => window.location.reload(), 30000);
    }
  },
});
// The room hears the timer twice at most: one minute left, and time up (never every second).
const countdown = new Countdown({ t, announcer: document.getElementById("timer-announcer"), socket });

function render() {
  const round = store.current();
  const panel = document.getElementById("present-round");
  fill(panel, "kind", round ? t(`kind_${round.kind}`) : "");
  const title = slot(panel, "title");
  if (round) showText(title, round, "title", { both, keep: true });
  else {
    delete title.dataset.both;
    setText(title, t("waiting_title"));
    markLanguage(title, null);
  }
  showText(slot(panel, "prompt"), round, "prompt", { both });
  fill(panel, "closed", round ? "" : closedNote());
  tick();
  const list = document.getElementById("proposals");
  const titles = [...model.proposals.values()].filter((p) => !p.hidden && !p.merged_into).sort((a, b) => a.id - b.id);
  // Rebuild only when the list changed, so a projector does not flicker.
  const key = (items) => items.join("\n");
  const shownNow = [...list.children].map((li) => `${li.lang}:${li.textContent}`);
  if (key(shownNow) !== key(titles.map((p) => `${p.language || ""}:${p.title}`))) {
    // Each proposal in the language it is written in (WCAG 3.1.2).
    list.replaceChildren(...titles.map((p) => {
      const li = Object.assign(document.createElement("li"), { textContent: p.title });
      markLanguage(li, p.language);
      return li;
    }));
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

/** Between rounds: say that the last round run has closed (a vote's result waits for publishing). */
function closedNote() {
  const run = [...model.rounds.values()].filter((r) => r.state !== "draft").sort((a, b) => a.position - b.position);
  const last = run.pop();
  if (!last || last.state !== "closed") return "";
  return t(last.kind === "vote" ? "closed_vote" : "closed_round", { title: shown(last, "title") });
}

function tick() {
  countdown.show(slot(document.getElementById("present-round"), "timer"), store.current());
}

/** A count as people write it: 3 not 3.00000; decimals (at most five, no trailing zeros) only where transfers made them. */
function countNumber(value) {
  if (value === null || value === undefined || value === "") return "";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(5)));
}

/** The count's conclusion for the room: who was chosen, or plainly that there is no result and why. */
function outcome(result) {
  if (!result.outcome || result.outcome === "elected") return t("chosen", { names: (result.winners || []).join(", ") });
  if (result.outcome === "no_result" && result.problem === "no_ballots") return t("no_result_no_ballots");
  if (result.outcome === "no_result" && result.problem === "too_few_ballots") return t("no_result_too_few");
  return t("no_result_failed");
}

/** How far the result can be trusted, in one line: "Voting cards · Ballots counted: 42 (3 on paper)" or "Open vote · not verified". */
function trustLabel(result) {
  const mode = (result.eligibility && result.eligibility.mode) || "open";
  if (mode === "open") return t("trust_open");
  const counted = result.eligibility.ballots_counted ?? result.ballots_counted ?? 0;
  const paper = result.paper_ballots || 0;
  return t(paper ? "trust_counted_paper" : "trust_counted", { mode: t(`mode_${mode}`), counted, paper });
}

function play(round) {
  window.clearTimeout(stepTimer);
  const box = document.getElementById("present-results");
  const result = round.result;
  const stages = result.stages && result.stages.length ? result.stages : [{ stage: 1, votes: result.scores || {}, elected: result.winners || [], excluded: [] }];
  setText(slot(box, "heading"), t("results_title", { title: shown(round, "title") }));
  fill(box, "trust", trustLabel(result));
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
  const won = new Set(); // elected at an earlier stage: still shown as elected while the count goes on
  const show = (index) => {
    const stage = stages[index];
    fill(box, "stage", rows.size ? t("stage", { n: index + 1, total: stages.length }) : ""); // no ballots: no stages to show
    const words = [];
    for (const [name, row] of rows) {
      const votes = stage.votes && name in stage.votes ? Number(stage.votes[name]) : null;
      setText(slot(row, "votes"), votes === null ? "" : countNumber(stage.votes[name]));
      row.querySelector(".race__bar").style.width = `${votes === null ? 0 : (votes / top) * 100}%`;
      row.classList.toggle("race__row--excluded", out.has(name) || (stage.excluded || []).includes(name));
      const elected = won.has(name) || (stage.elected || []).includes(name);
      row.classList.toggle("race__row--elected", elected || ((result.winners || []).includes(name) && index === stages.length - 1));
    }
    for (const name of stage.elected || []) {
      words.push(t("elected", { name }));
      won.add(name);
    }
    for (const name of stage.excluded || []) {
      words.push(t("excluded", { name }));
      out.add(name);
    }
    setText(slot(box, "words"), words.join(" "));
    const last = index === stages.length - 1;
    fill(box, "winners", last ? outcome(result) : "");
    if (!last) stepTimer = window.setTimeout(() => show(index + 1), STEP_MS);
  };
  if (reduced.matches) {
    stages.slice(0, -1).forEach((s) => {
      (s.excluded || []).forEach((name) => out.add(name));
      (s.elected || []).forEach((name) => won.add(name));
    });
    show(stages.length - 1);
  } else {
    // Start from zero so the first stage grows in; later stages move from there.
    window.requestAnimationFrame(() => window.requestAnimationFrame(() => show(0)));
  }
}

store.subscribe(render);
window.setInterval(tick, 1000);
socket.start();
