"""A board editor duplicates a session from the consultation page's "Live sessions" panel, by keyboard, at 320 px."""

import pytest

from tests.browser.conftest import AXE

pytestmark = pytest.mark.browser
EDITOR = ("editor", "cyd-editor-demo")


def axe_in(page, selector):
    """axe-core's WCAG 2.2 A/AA violations inside `selector` (the rest of the page is Wagtail's own admin)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (selector) => {
          const result = await axe.run({include: [[selector]]}, {runOnly: {type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}});
          return result.violations.map((v) => `${v.id}: ${v.help} :: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        }""",
        selector,
    )


@pytest.mark.parametrize("width", [320, 1280])
def test_editor_duplicates_a_session_from_the_consultation_page(new_context, server, width):
    page = new_context(width=width).new_page()
    page.goto("/admin/login/?next=/admin/")
    page.fill("#id_username", EDITOR[0])
    page.fill("#id_password", EDITOR[1])
    page.press("#id_password", "Enter")
    page.wait_for_url("**/admin/")

    page.goto(f"/admin/pages/{server['authoring_consultation']}/edit/")
    panel = page.locator("[data-live-sessions]")
    panel.wait_for()
    assert "K7MP4Q" in panel.inner_text() and "Add a live session" in panel.inner_text()
    assert not axe_in(page, "[data-live-sessions]")

    duplicate = panel.get_by_role("link", name="Duplicate “Rural transport: what should we try first?”")
    duplicate.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/livesession/copy/**")
    assert "Duplicate as a draft" in page.inner_text("main")
    assert not axe_in(page, "main")
    assert page.evaluate("document.documentElement.scrollWidth") <= max(width, 320) + 1

    page.get_by_role("button", name="Duplicate as a draft").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/livesession/edit/**")
    assert "duplicated as a draft with the join code" in page.inner_text("body")
    assert page.input_value("#id_title") == "Rural transport: what should we try first? (copy)"
