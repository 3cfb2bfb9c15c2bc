"""Following by e-mail: the form, bad input, confirmation, tampered links, the notifications page, unsubscribe."""

import re
import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django_tasks_db.models import DBTaskResult

from deliberation.models import Participant
from home.models import Commitment, CommitmentUpdate
from notify import services
from notify.models import Follow, Follower, FollowParticipant, KnownItem, Notice
from tests.conftest import session_cookie_for
from tests.notify.conftest import html_part, run_tasks, text_part

FOLLOW = "/en/notify/follow/"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST the follow form (running what is queued on commit) and return the response."""

    def do(fields, path=FOLLOW, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, fields, **extra)

    return do


def confirm_path(message):
    """The path of the confirmation link in a confirmation e-mail."""
    url = re.search(r"https?://\S+/notify/follow/confirm/\S+/", text_part(message)).group(0)
    return urlsplit(url).path


def test_visitor_can_follow_a_session_and_gets_one_confirmation_in_their_language(live, post, smtp):
    response = post({"session": live.code, "email": "Ann@Example.COM", "language": "cy"})
    assert response.status_code == 200 and "ann@example.com" in response.content.decode().lower()
    follower = Follower.objects.get()
    assert (follower.email, follower.language, follower.confirmed_at) == ("Ann@example.com", "cy", None)
    assert Follow.objects.get().session == live and Follow.objects.get().confirmed_at is None
    assert run_tasks() == 1
    [message] = smtp.wait("Ann@example.com")
    assert message["Content-Language"] == "cy" and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert '<html lang="cy">' in html_part(message) and live.title in text_part(message)
    assert confirm_path(message).startswith("/cy/notify/follow/confirm/")


def test_the_form_says_what_you_will_get_and_defaults_to_the_pages_language(consultation, client):
    _en, welsh = consultation
    page = client.get(FOLLOW, {"consultation": welsh.pk}).content.decode()
    assert "when a round opens" in page and "unsubscribe" in page
    assert re.search(r'value="cy"[^>]*checked', page)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "not-an-address",
        "a" * 250 + "@example.com",  # longer than 254
        "x" * 10_000,
        "ann\u200b@example.com",  # zero-width space
        "\u202eann@example.com",  # right-to-left override
        "ann@exa\x00mple.com",
        "ann @example.com",
        "ann@example.com\nBcc: eve@example.com",  # header injection
    ],
)
def test_visitor_cannot_follow_with_a_bad_address(live, post, address):
    response = post({"session": live.code, "email": address, "language": "en"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Follower.objects.exists() and not DBTaskResult.objects.exists()


def test_visitor_cannot_choose_a_language_that_does_not_exist(live, post):
    response = post({"session": live.code, "email": "ann@example.com", "language": "fr"})
    assert response.status_code == 400 and not Follower.objects.exists()


@pytest.mark.parametrize("target", [{"session": "NOPE99"}, {"consultation": "999999"}, {"consultation": "1e9"}, {}])
def test_visitor_cannot_follow_what_does_not_exist(db, post, target):
    response = post(target | {"email": "ann@example.com", "language": "en"})
    assert response.status_code == 404 and "does not exist" in response.content.decode()
    assert not Follower.objects.exists()


def test_following_twice_makes_no_duplicate_and_no_second_mail(live, post):
    for address in ("ann@example.com", "ANN@example.com"):
        assert post({"session": live.code, "email": address, "language": "en"}).status_code == 200
    assert Follower.objects.count() == 1 and Follow.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path="notify.tasks.send_confirmation").count() == 1


def test_either_languages_page_is_the_same_consultation(consultation, post):
    english, welsh = consultation
    for page in (english, welsh):
        post({"consultation": page.pk, "email": "ann@example.com", "language": "en"})
    assert Follow.objects.get().consultation_key == english.translation_key == welsh.translation_key


def test_one_address_is_throttled_after_five_requests(consultation, live, post):
    english, _welsh = consultation
    for n in range(5):
        target = {"session": live.code} if n % 2 else {"consultation": english.pk}
        assert post(target | {"email": "ann@example.com", "language": "en"}).status_code == 200
    response = post({"session": live.code, "email": "ann@example.com", "language": "en"})
    assert response.status_code == 429 and "Try again in an hour" in response.content.decode()


def test_a_participant_following_from_the_session_page_is_linked(live, join, client, post):
    participant, _actor = join("Ann")
    client.cookies.load(session_cookie_for(participant).decode())
    post({"session": live.code, "email": "ann@example.com", "language": "en"})
    assert FollowParticipant.objects.get().participant == participant


def test_confirmation_link_confirms_once_and_a_replay_changes_nothing(live, post, smtp, client):
    post({"session": live.code, "email": "ann@example.com", "language": "en"})
    run_tasks()
    path = confirm_path(smtp.wait("ann@example.com")[0])
    assert client.get(path).status_code == 200
    follower = Follower.objects.get()
    assert follower.confirmed_at and Follow.objects.get().confirmed_at
    services.unsubscribe(follower)  # then the old link is clicked again: it must not subscribe them again
    replay = client.get(path)
    assert replay.status_code == 400 and "already been used" in replay.content.decode()
    assert Follower.objects.get().unsubscribed_at is not None


def test_a_tampered_or_expired_link_changes_nothing(live, post, client, monkeypatch):
    post({"session": live.code, "email": "ann@example.com", "language": "en"})
    follower = Follower.objects.get()
    good = services.confirm_link_value(follower)
    for value in (good[:-2] + "xx", "abc", good.replace(":", "", 1)):
        response = client.get(f"/en/notify/follow/confirm/{value}/")
        assert response.status_code == 400 and "has been changed" in response.content.decode()
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 4 * 24 * 3600)
    old = services.confirm_link_value(follower)
    monkeypatch.undo()
    response = client.get(f"/en/notify/follow/confirm/{old}/")
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert Follower.objects.get().confirmed_at is None and Follow.objects.get().confirmed_at is None


def confirmed(email, language="en", **target):
    """A follower who asked to follow `target` and confirmed."""
    follower = services.follow_request(email=email, language=language, target=services.Target(**target))
    return services.confirm(services.confirm_link_value(Follower.objects.get(pk=follower.pk)))


def test_one_click_unsubscribe_is_a_csrf_exempt_idempotent_post(live, db):
    follower = confirmed("ann@example.com", session=live)
    strict = Client(enforce_csrf_checks=True)
    path = f"/en/notify/notifications/{follower.token}/unsubscribe/"
    assert strict.get(path).status_code == 200
    assert Follower.objects.get().unsubscribed_at is None, "a GET (a mail scanner) must not unsubscribe"
    for _ in range(2):
        response = strict.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
    follower.refresh_from_db()
    assert follower.unsubscribed_at is not None and not follower.follows.exists()
    assert strict.post("/en/notify/notifications/not-a-token/unsubscribe/").status_code == 200
    assert strict.get("/en/notify/notifications/not-a-token/unsubscribe/").status_code == 404


def test_follower_can_change_language_unfollow_and_delete_from_their_page(live, consultation, client):
    english, _welsh = consultation
    follower = confirmed("ann@example.com", session=live)
    confirmed("ann@example.com", consultation=english)
    path = f"/en/notify/notifications/{follower.token}/"
    page = client.get(path).content.decode()
    assert live.title in page and english.title in page
    assert client.get("/en/notify/notifications/wrong/").status_code == 404
    client.post(path, {"action": "language", "language": "cy"})
    assert Follower.objects.get().language == "cy"
    client.post(path, {"action": "language", "language": "xx"})
    assert Follower.objects.get().language == "cy"
    client.post(path, {"action": "unfollow", "follow": Follow.objects.get(session=live).pk})
    assert list(Follow.objects.values_list("consultation_key", flat=True)) == [english.translation_key]
    assert client.post(path, {"action": "explode"}).status_code == 400
    response = client.post(path, {"action": "delete"})
    assert response.status_code == 200 and not Follower.objects.exists() and not Follow.objects.exists()


def test_a_new_progress_update_is_news_once_and_old_ones_never(consultation, smtp, django_capture_on_commit_callbacks):
    english, _welsh = consultation
    english.commitments.add(Commitment(title="Fund a car scheme", updates=[CommitmentUpdate(date=date(2026, 1, 5), text="Old")]))
    english.save_revision().publish()
    run_tasks()
    follower = confirmed("ann@example.com", consultation=english)  # follows after that update: it is old news
    page = english.__class__.objects.get(pk=english.pk)
    commitment = page.commitments.get()
    CommitmentUpdate.objects.create(commitment=commitment, date=date(2026, 3, 1), text="The first bus runs in May.")
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()  # published again: nothing new
    run_tasks()
    assert [n.update.text for n in Notice.objects.filter(follower=follower)] == ["The first bus runs in May."]
    assert KnownItem.objects.filter(kind="update").count() == 2
    assert services.send_digest(follower.pk, now=Follower.objects.get().digest_due_at) == 1
    [message] = smtp.wait("ann@example.com")
    assert "The first bus runs in May." in text_part(message) and "Fund a car scheme" in html_part(message)
    assert "You get this because you follow the consultation" in text_part(message)


def test_nothing_is_sent_before_confirmation(live, fac_actor, post, django_capture_on_commit_callbacks):
    from deliberation import services as live_services

    post({"session": live.code, "email": "ann@example.com", "language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        live_services.round_open(actor=fac_actor, session=live, round_id=live.rounds.first().pk)
    run_tasks()
    assert not Notice.objects.exists()
    assert not Participant.objects.exists()


def test_the_include_on_the_consultation_and_session_pages_posts_a_working_form(consultation, live, rf, post):
    from django.template.loader import render_to_string

    _english, welsh = consultation
    request = rf.get("/cy/")
    on_page = render_to_string("notify/follow_form.html", {"consultation": welsh}, request=request)
    assert f'name="consultation" value="{welsh.pk}"' in on_page and re.search(r'value="cy"[^>]*checked', on_page)
    on_session = render_to_string("notify/follow_form.html", {"live": live}, request=request)
    assert f'name="session" value="{live.code}"' in on_session and 'action="/en/notify/follow/"' in on_session
    assert post({"consultation": welsh.pk, "email": "ann@example.com", "language": "cy"}).status_code == 200


def test_results_are_sent_and_openings_of_rounds_since_closed_are_not(
    live, fac_actor, open_vote, smtp, django_capture_on_commit_callbacks
):
    from deliberation import services as live_services

    follower = confirmed("ann@example.com", session=live)
    with django_capture_on_commit_callbacks(execute=True):
        vote = open_vote()
        live_services.round_close(actor=fac_actor, session=live, round_id=vote.round.pk)
        live_services.round_publish(actor=fac_actor, session=live, round_id=vote.round.pk)
    run_tasks()
    assert sorted(Notice.objects.values_list("kind", flat=True)) == ["opened", "opened", "published"]
    assert services.send_digest(follower.pk, now=Follower.objects.get().digest_due_at) == 1
    [message] = smtp.wait("ann@example.com")
    assert message["Subject"] == "Cyd: Results published: Decide"
    assert f"/en/s/{live.code}/results/{vote.round.pk}/" in text_part(message) and "Round opened" not in text_part(message)
    assert Notice.objects.filter(dropped=True).count() == 2


def test_no_reminder_for_a_short_round_or_one_closing_later(live, db):
    from datetime import timedelta

    from django.utils import timezone

    from deliberation.models import Round

    now = timezone.now()
    short, later = live.rounds.get(kind="proposal"), live.rounds.get(kind="vote")
    Round.objects.filter(pk=short.pk).update(
        state="open", opened_at=now - timedelta(hours=30), closes_at=now + timedelta(hours=5)
    )
    Round.objects.filter(pk=later.pk).update(state="open", opened_at=now - timedelta(days=3), closes_at=now + timedelta(hours=30))
    assert services.tick(now) == []
    assert services.tick(now + timedelta(hours=7)) == [later.pk]


def test_a_digest_the_mail_server_refuses_waits_and_is_tried_again(live, settings, db):
    from deliberation.models import Round
    from tests.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens there
    follower = confirmed("ann@example.com", session=live)
    round_ = live.rounds.first()
    Round.objects.filter(pk=round_.pk).update(state="open")
    Notice.objects.create(follower=follower, kind="opened", key=f"opened:{round_.pk}", round=round_)
    services.schedule_digests([follower.pk])
    assert services.send_digest(follower.pk, now=Follower.objects.get().digest_due_at) == 0
    follower.refresh_from_db()
    assert Notice.objects.get().sent_at is None and follower.last_mail_at is None
    assert follower.digest_due_at is not None
    assert DBTaskResult.objects.filter(task_path="notify.tasks.send_digest").count() == 2
