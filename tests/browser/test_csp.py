"""The live pages run under the strict Content-Security-Policy without a single violation."""

import pytest

from tests.browser.conftest import VOTE_CODE, join, log_in

pytestmark = pytest.mark.browser

# Records violations the page itself sees (the console message is the browser's own report).
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`));
"""


def watch(page):
    messages = []
    page.on("console", lambda m: "Content Security Policy" in m.text and messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    page.add_init_script(LISTEN)
    return messages


def settle(page):
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__csp")


def test_visitor_sees_no_csp_violation_on_the_live_pages(new_context, server):
    citizen = new_context(width=390).new_page()
    seen = watch(citizen)
    citizen.goto("/en/join/")
    assert "script-src 'self'" in citizen.evaluate("fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    join(citizen, VOTE_CODE, name="CSP")
    citizen.click("#unranked .rank-item:first-child [data-move=add]")  # JS moves and styles the ballot
    violations = settle(citizen)
    citizen.goto(f"/cy/s/RUTH34/results/{server['results_round']}/")
    violations += settle(citizen)

    facilitator = new_context(width=1280).new_page()
    seen_too = watch(facilitator)
    log_in(facilitator, f"/en/s/{VOTE_CODE}/facilitate/")
    facilitator.wait_for_selector("#connection[data-state=connected]")
    violations += settle(facilitator)
    facilitator.goto("/en/s/RUTH34/present/")  # animates the published count with element.style
    facilitator.wait_for_selector("#present-results:not([hidden])")
    facilitator.wait_for_timeout(500)
    violations += settle(facilitator)
    facilitator.goto(f"/en/s/{VOTE_CODE}/log/")
    violations += settle(facilitator)

    assert not violations, violations
    assert not seen + seen_too, seen + seen_too
