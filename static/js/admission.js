// The admission waiting page: asks every few seconds whether the facilitator has answered, and
// moves on by itself (the "Check again" button does the same without JavaScript).

import { loadStrings } from "./lib/dom.js";

const root = document.getElementById("admission");
const status = document.getElementById("admission-status");
const t = loadStrings();
const EVERY_MS = 3000;

async function check() {
  try {
    const response = await fetch(root.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) throw new Error(String(response.status));
    const { admission } = await response.json();
    if (admission !== root.dataset.admission) {
      if (admission === "admitted") status.textContent = t("admitted");
      window.location.reload(); // the server renders the live page, or says plainly that you were not let in
      return;
    }
    status.textContent = t("still_waiting");
  } catch {
    // Offline for a moment: try again on the next tick.
  }
  window.setTimeout(check, EVERY_MS);
}

window.setTimeout(check, EVERY_MS);
