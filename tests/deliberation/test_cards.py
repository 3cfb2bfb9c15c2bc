"""Voting cards on paper: the printable sheet and the `manage.py cards` command for boards that mail them."""

import csv
import re

import pytest
from django.core.management import CommandError, call_command

from deliberation import exports, services
from deliberation.models import LiveSession, VotingCard

pytestmark = pytest.mark.django_db


@pytest.fixture
def carded(live, fac_actor):
    """The live session in cards mode with three cards."""
    LiveSession.objects.filter(pk=live.pk).update(eligibility=LiveSession.Eligibility.CARDS)
    live.refresh_from_db()
    services.cards_generate(actor=fac_actor, session=live, count=3)
    return live


def sheet(client, live, query=""):
    """The cards sheet's HTML (asserting it is served)."""
    response = client.get(f"/en/s/{live.code}/cards/{query}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_facilitator_can_print_the_cards_sheet(client, carded, facilitator):
    client.force_login(facilitator)
    page = sheet(client, carded)
    for card in carded.cards.all():
        assert card.code in page and len(card.code) == 14  # printed with its hyphens
        link = f"http://testserver/s/{carded.code}/?card={card.code}"
        assert exports.qr_svg(link, title=f"QR code for voting card {card.number}") in page  # the QR carries the link
    assert page.count("<svg") == 3 and page.count('class="card"') == 3
    assert "Rural transport" in page and "testserver/join" in page
    # Welsh first on every card, then English.
    first = page.index('class="card"')
    assert page.index('lang="cy"', first) < page.index('lang="en"', first)
    assert 'href="/static/css/cards.css"' in page


def test_facilitator_can_print_a_range_of_cards(client, carded, facilitator):
    client.force_login(facilitator)
    codes = {card.number: card.code for card in carded.cards.all()}
    page = sheet(client, carded, "?from=2&to=3")
    assert codes[1] not in page and codes[2] in page and codes[3] in page
    assert sheet(client, carded, "?from=abc").count('class="card"') == 3  # a bad number is ignored, not an error


def test_facilitator_can_see_how_to_make_cards_when_there_are_none(client, live, facilitator):
    client.force_login(facilitator)
    page = sheet(client, live)
    assert 'class="card"' not in page and "manage.py cards" in page


def test_visitor_cannot_see_the_cards_sheet(client, carded):
    response = client.get(f"/en/s/{carded.code}/cards/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_participant_cannot_see_the_cards_sheet(client, carded):
    client.post(f"/en/s/{carded.code}/", {"name": "Alys"})
    response = client.get(f"/en/s/{carded.code}/cards/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_other_user_cannot_see_the_cards_sheet(client, carded, make_user):
    client.force_login(make_user("stranger"))
    assert client.get(f"/en/s/{carded.code}/cards/").status_code == 403


def test_facilitator_can_generate_cards_from_the_command_line(live, facilitator, tmp_path, capsys):
    out = tmp_path / "cards.csv"
    call_command(
        "cards",
        live.code.lower(),
        "--count",
        "4",
        "--as",
        facilitator.username,
        "--csv",
        str(out),
        "--base-url",
        "https://cyd.example.org",
    )
    assert live.cards.count() == 4
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["number", "code", "join link"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
    for number, code, link in rows[1:]:
        assert VotingCard.objects.get(session=live, number=int(number)).code == code
        assert link == f"https://cyd.example.org/s/{live.code}/?card={code}"
    assert "4 cards" in capsys.readouterr().out
    call_command("cards", live.code, "--count", "2", "--as", facilitator.username)  # numbered on, codes printed
    assert sorted(live.cards.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    printed = capsys.readouterr().out
    assert re.search(r"^6,[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4},http", printed, re.MULTILINE)
    call_command("cards", live.code, "--count", "0", "--as", facilitator.username)  # no new cards: all listed
    listed = capsys.readouterr().out.splitlines()
    assert live.cards.count() == 6 and [row.split(",")[0] for row in listed[1:]] == ["1", "2", "3", "4", "5", "6"]


def test_other_user_cannot_generate_cards_from_the_command_line(live, make_user):
    make_user("stranger")
    with pytest.raises(CommandError, match="not allowed"):
        call_command("cards", live.code, "--count", "4", "--as", "stranger")
    assert live.cards.count() == 0


def test_facilitator_cannot_generate_cards_for_an_unknown_session_or_user(live, facilitator):
    with pytest.raises(CommandError, match="No session"):
        call_command("cards", "ZZZZZZ", "--count", "4", "--as", facilitator.username)
    with pytest.raises(CommandError, match="No user"):
        call_command("cards", live.code, "--count", "4", "--as", "nobody")


def _demo_sessions():
    """The demo's sessions by code, with the figures a second run must not change."""
    from deliberation.models import Event, Participant

    return {
        "sessions": sorted(LiveSession.objects.values_list("code", "eligibility")),
        "cards": VotingCard.objects.count(),
        "events": Event.objects.count(),
        "participants": Participant.objects.count(),
        "voters": sorted(LiveSession.voters.through.objects.values_list("livesession__code", "user__username")),
    }


def test_demo_has_one_session_in_each_mode_and_a_second_run_changes_nothing(settings, tmp_path, capsys):
    from deliberation import demo
    from home.demo import load_demo

    settings.MEDIA_ROOT = tmp_path
    lines = load_demo(show_credentials=False)
    modes = {code: mode for code, mode in LiveSession.objects.values_list("code", "eligibility")}
    assert modes[demo.CARDS_CODE] == "cards" and modes[demo.SIGNIN_CODE] == "signin"
    assert modes[demo.ADMISSION_CODE] == "admission" and modes[demo.LIVE_CODE] == "open"
    cards = LiveSession.objects.get(code=demo.CARDS_CODE)
    assert cards.cards.count() == 40
    signin = LiveSession.objects.get(code=demo.SIGNIN_CODE)
    assert sorted(signin.voters.values_list("username", flat=True)) == ["editor", "facilitator"]
    admission = LiveSession.objects.get(code=demo.ADMISSION_CODE)
    assert admission.participants.filter(admission="pending").count() >= 2
    text = "\n".join(lines)
    for code in (demo.CARDS_CODE, demo.SIGNIN_CODE, demo.ADMISSION_CODE):
        assert code in text
    assert f"/en/s/{demo.CARDS_CODE}/cards/" in text
    before = _demo_sessions()
    load_demo(show_credentials=False)
    assert _demo_sessions() == before
