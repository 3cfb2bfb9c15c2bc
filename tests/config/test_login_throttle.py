"""Password guessing on the public and the Wagtail admin sign-in is throttled (django-axes)."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

SIGN_INS = {"public": "/en/accounts/login/", "admin": "/admin/login/"}
GUESSER = "203.0.113.9"
LOCKED = "Too many failed sign-ins"


@pytest.fixture
def staff(db):
    """A staff user who may use both sign-in pages."""
    return get_user_model().objects.create_user(username="fac", password="right-horse-battery", is_staff=True)


def _sign_in(client, page, password, username="fac", address=GUESSER):
    return client.post(SIGN_INS[page], {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", SIGN_INS)
def test_visitor_cannot_keep_guessing_a_password(client, staff, page):
    for n in range(4):
        wrong = _sign_in(client, page, f"guess-{n}")
        assert wrong.status_code == 200 and LOCKED not in wrong.content.decode()
    for n in range(4, 6):
        refused = _sign_in(client, page, f"guess-{n}")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert LOCKED in text and "15" in text and 'lang="cy"' in text  # in both languages, with the wait
    right = _sign_in(client, page, "right-horse-battery")
    assert right.status_code == 429 and not _signed_in(client)


@pytest.mark.parametrize("page", SIGN_INS)
def test_facilitator_can_sign_in_after_the_cool_off(client, staff, page):
    from axes.models import AccessAttempt

    for n in range(6):
        _sign_in(client, page, f"guess-{n}")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response = _sign_in(client, page, "right-horse-battery")
    assert response.status_code == 302 and _signed_in(client)


def test_colleague_at_the_same_venue_is_not_locked_out_by_one_persons_typos(client, staff):
    get_user_model().objects.create_user(username="editor", password="another-long-password")
    for n in range(6):
        _sign_in(client, "public", f"guess-{n}")
    assert _sign_in(client, "public", "another-long-password", username="editor").status_code == 302
    client.logout()
    # The same account from another address is not locked either: a guesser cannot lock a facilitator out.
    assert _sign_in(client, "public", "right-horse-battery", address="198.51.100.7").status_code == 302


@pytest.fixture(scope="module")
def server():
    """A real daphne (the middleware runs async there, unlike the test client) on a fresh demo database."""
    from tests.servers import daphne, fresh_database, prepare, server_env

    env = server_env(fresh_database("axes"))
    prepare(env)
    with daphne(env, worker=False) as (base, _process):
        yield base


DEMO_USERS = [("public", ("facilitator", "cyd-facilitator-demo")), ("admin", ("editor", "cyd-editor-demo"))]


@pytest.mark.parametrize("page,user", DEMO_USERS)
def test_visitor_cannot_keep_guessing_a_password_on_the_running_server(server, page, user):
    from tests.servers import Browserless

    username, password = user
    browser = Browserless(server)
    browser.get(SIGN_INS[page])
    statuses = [browser.post(SIGN_INS[page], {"username": username, "password": f"guess-{n}"})[0] for n in range(6)]
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429
    status, _url, text = browser.post(SIGN_INS[page], {"username": username, "password": password})
    assert status == 429 and LOCKED in text
