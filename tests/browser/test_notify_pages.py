"""The notification pages in real Chromium: WCAG 2.2 AA (axe-core), keyboard, 320 px, in both languages."""

import json

import pytest

from tests.browser.conftest import axe_violations
from tests.servers import daphne, fresh_database, manage, server_env

pytestmark = pytest.mark.browser

SETUP = """
import json
from deliberation.models import LiveSession
from notify import services
live = LiveSession.objects.create(title="Bus routes", title_cy="Llwybrau bysiau", code="NTFY34")
follower = services.follow_request(email="ann@example.com", language="cy", target=services.Target(session=live))
print("FACTS=" + json.dumps({"token": follower.token}))
"""


@pytest.fixture(scope="module")
def server():
    """daphne on a fresh database with one session and one (unconfirmed) follower; notify's URLs included."""
    env = server_env(fresh_database("notify-browser"), DJANGO_SETTINGS_MODULE="tests.notify.worker_settings")
    manage(env, "migrate", "--no-input", "-v0")
    out = manage(env, "shell", "-c", SETUP)
    facts = json.loads(next(line for line in out.splitlines() if line.startswith("FACTS="))[6:])
    with daphne(env, worker=False) as (url, _process):
        yield {"url": url, **facts}


def pages(token):
    """The notification pages a person meets, in both languages."""
    return [
        f"/{lang}/notify/{path}"
        for lang in ("en", "cy")
        for path in (
            "follow/?session=NTFY34",
            f"notifications/{token}/",
            f"notifications/{token}/unsubscribe/",
            "follow/confirm/not-a-real-link/",
        )
    ]


def test_notification_pages_pass_axe_and_fit_320px(new_context, server):  # noqa: F811 - the imported fixture
    page = new_context(width=320).new_page()
    for url in pages(server["token"]):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, url
        assert not axe_violations(page), url


def test_visitor_follows_by_keyboard_and_sees_errors_then_the_answer(new_context, server):  # noqa: F811
    page = new_context().new_page()
    page.goto("/en/notify/follow/?session=NTFY34")
    page.focus("#id_email")
    page.keyboard.type("not-an-address")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert "Enter an e-mail address in the right form" in page.inner_text("main") and not axe_violations(page)
    page.fill("#id_email", "bea@example.com")
    page.check("#id_language_1")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Check your e-mail")
    assert "bea@example.com" in page.inner_text("main") and not axe_violations(page)
