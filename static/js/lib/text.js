// A board's words in both languages (deliberation/text.py does the same on the server): `title` is the English,
// `title_cy` the Welsh. A page shows its own language's text (<html lang>), falling back to the other language's
// when that one is empty, and marks the element with the language the text is really in (WCAG 3.1.2).

/** "cy" on a Welsh page, else "en". */
export function pageLanguage(doc = document) {
  return (doc.documentElement.lang || "en").toLowerCase().startsWith("cy") ? "cy" : "en";
}

/** A text, or "" when it is missing or only spaces. */
function written(value) {
  return typeof value === "string" && value.trim() ? value : "";
}

/** {text, lang}: `field` of `item` in `language` (the page's), else in the other language. */
export function pick(item, field, language = pageLanguage()) {
  const texts = { en: written(item && item[field]), cy: written(item && item[`${field}_cy`]) };
  const other = language === "cy" ? "en" : "cy";
  if (texts[language] || !texts[other]) return { text: texts[language], lang: language };
  return { text: texts[other], lang: other };
}

/** The text alone. */
export function shown(item, field, language = pageLanguage()) {
  return pick(item, field, language).text;
}

/** The languages ("en", "cy") some of `fields` lack while written in the other one. */
export function missingLanguages(item, fields) {
  const missing = new Set();
  for (const field of fields) {
    const en = written(item && item[field]);
    const cy = written(item && item[`${field}_cy`]);
    if (en && !cy) missing.add("cy");
    if (cy && !en) missing.add("en");
  }
  return ["en", "cy"].filter((code) => missing.has(code));
}

/** Mark `el` as written in `lang` (or take the mark off), without needless changes. */
export function markLanguage(el, lang) {
  if (!el) return;
  if (!lang) el.removeAttribute("lang");
  else if (el.getAttribute("lang") !== lang) el.setAttribute("lang", lang);
}

/**
 * Put `field` of `item` into `el` in the page's language with its lang; with `both` (the presenter in a mixed room)
 * the Welsh then the English, each in its own span, when both are written. Hides `el` when there is no text unless
 * `keep`. `item` null clears it (and its lang: the caller's own words follow).
 */
export function showText(el, item, field, { both = false, keep = false } = {}) {
  if (!el) return;
  const en = written(item && item[field]).trim();
  const cy = written(item && item[`${field}_cy`]).trim();
  if (both && en && cy) {
    const key = `${cy}\n${en}`;
    if (el.dataset.both !== key) {
      const first = Object.assign(document.createElement("span"), { className: "both__first", lang: "cy", textContent: cy });
      const second = Object.assign(document.createElement("span"), { className: "both__second", lang: "en", textContent: en });
      el.replaceChildren(first, " ", second);
      el.dataset.both = key;
    }
    markLanguage(el, null);
    el.hidden = false;
    return;
  }
  delete el.dataset.both;
  const { text, lang } = item ? pick(item, field) : { text: "", lang: null };
  if (el.textContent !== text || el.children.length) el.textContent = text;
  markLanguage(el, item && text ? lang : null);
  if (!keep) el.hidden = !text;
}
