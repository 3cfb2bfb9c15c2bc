// The voting cards sheet: the Print button opens the browser's print dialogue (without JavaScript the page says how).

document.getElementById("print-cards")?.addEventListener("click", () => window.print());
