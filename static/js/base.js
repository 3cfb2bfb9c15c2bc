// Marks the page as scripted so CSS can reveal JavaScript-only controls.
document.documentElement.classList.replace("no-js", "js");
