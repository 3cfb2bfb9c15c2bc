// Marks the page as scripted so CSS can reveal JavaScript-only controls.
document.documentElement.classList.replace("no-js", "js");

// After a refused form, take the keyboard and screen reader to the list of problems (GOV.UK pattern).
const summary = document.querySelector(".error-summary");
if (summary) summary.focus();
