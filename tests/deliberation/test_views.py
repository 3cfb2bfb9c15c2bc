"""Pages and the HTTP form fallback: every action works with JavaScript off, through the same services."""

import csv
import io
import json
import subprocess
import sys

import pytest
from django.urls import reverse

from deliberation import services
from deliberation.models import Ballot, Comment, LiveSession, Proposal
from tests.conftest import rounds_of

pytestmark = pytest.mark.django_db


def test_visitor_can_join_by_typing_a_pasted_code(client, live):
    response = client.post("/en/join/", {"code": f"  {live.code.lower()[:3]} {live.code.lower()[3:]} "})
    assert response.status_code == 302 and response["Location"] == f"/en/s/{live.code}/"


def test_visitor_cannot_join_with_a_wrong_code(client, live):
    response = client.post("/en/join/", {"code": "ZZZZZZ"})
    assert response.status_code == 200
    assert "No session has that code" in response.content.decode()


def test_visitor_can_join_from_the_short_link_in_their_language(client, live):
    response = client.get(f"/s/{live.code}/", HTTP_ACCEPT_LANGUAGE="cy")
    assert response.status_code == 302 and response["Location"] == f"/cy/s/{live.code}/"


def test_visitor_can_join_anonymously_and_is_remembered(client, live):
    page = client.get(f"/en/s/{live.code}/")
    assert b"Take part" in page.content
    response = client.post(f"/en/s/{live.code}/", {"name": ""})
    assert response.status_code == 302
    live_page = client.get(f"/en/s/{live.code}/")
    assert b"Waiting for the next round" in live_page.content
    assert live.participants.count() == 1
    client.get(f"/en/s/{live.code}/")  # coming back does not create a second identity
    assert live.participants.count() == 1


def test_participant_can_propose_without_javascript(client, live, fac_actor):
    r = rounds_of(live)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert 'name="title"' in page
    fields = {"action": "proposal.submit", "ref": "form-1", "round": r["proposal"].pk, "title": "Later buses"}
    response = client.post(f"/en/s/{live.code}/act/", fields, follow=True)
    assert "Your proposal has been added." in response.content.decode()
    client.post(f"/en/s/{live.code}/act/", fields)  # a double submit of the same form
    assert Proposal.objects.filter(title="Later buses").count() == 1


def test_participant_can_rank_with_selects_without_javascript(client, live, open_vote):
    opened = open_vote(("A", "B"), "Author")
    (a, b), vote = opened.ideas.proposals, opened.round
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    fields = {"action": "ballot.cast", "ref": "b1", "round": vote.pk, f"rank_{a.pk}": "2", f"rank_{b.pk}": "1"}
    response = client.post(f"/en/s/{live.code}/act/", fields, follow=True)
    assert "Your ballot has been recorded" in response.content.decode()
    assert Ballot.objects.get().ranking == [b.pk, a.pk]
    same_rank = {**fields, f"rank_{a.pk}": "1"}
    response = client.post(f"/en/s/{live.code}/act/", same_rank, follow=True)
    assert "different rank" in response.content.decode()
    assert Ballot.objects.get().ranking == [b.pk, a.pk]


def test_participant_cannot_use_facilitator_forms(client, live):
    r = rounds_of(live)
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    response = client.post(f"/en/s/{live.code}/act/", {"action": "round.open", "round": r["proposal"].pk}, follow=True)
    assert "You do not have permission" in response.content.decode()
    r["proposal"].refresh_from_db()
    assert r["proposal"].state == "draft"
    assert "/accounts/login/" in client.get(f"/en/s/{live.code}/facilitate/")["Location"]


def test_signed_in_stranger_cannot_open_the_console(client, live, make_user):
    client.force_login(make_user("stranger"))
    assert client.get(f"/en/s/{live.code}/facilitate/").status_code == 403
    assert client.get(f"/en/s/{live.code}/log/").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in_for_the_console(client, live):
    response = client.get(f"/en/s/{live.code}/facilitate/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_facilitator_can_run_rounds_from_the_console_without_javascript(client, live, facilitator):
    r = rounds_of(live)
    client.force_login(facilitator)
    console = client.get(f"/en/s/{live.code}/facilitate/")
    assert console.status_code == 200 and b"Run of show" in console.content
    response = client.post(
        f"/en/s/{live.code}/act/",
        {"action": "round.open", "round": r["proposal"].pk, "minutes": "10", "next": f"/en/s/{live.code}/facilitate/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/en/s/{live.code}/facilitate/"
    r["proposal"].refresh_from_db()
    assert r["proposal"].state == "open" and r["proposal"].closes_at is not None


def test_unknown_action_and_foreign_next_are_refused(client, live):
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    response = client.post(f"/en/s/{live.code}/act/", {"action": "session.event", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/en/s/{live.code}/"


@pytest.fixture
def published(live, fac_actor, open_vote):
    """A published IRV round with three ballots, one on paper."""
    opened = open_vote(('The "Bus"', "Car share"), ("Alys", "Bryn"))
    (a, b), (alys, bryn), vote = opened.ids, opened.authors, opened.round
    receipt = services.ballot_cast(actor=alys, session=live, round_id=vote.pk, ranking=[a, b]).receipt
    services.ballot_cast(actor=bryn, session=live, round_id=vote.pk, ranking=[b])
    services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=[a])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    return vote, receipt


def test_anyone_can_read_results_and_check_a_receipt(client, live, published):
    round_, receipt = published
    page = client.get(f"/en/s/{live.code}/results/{round_.pk}/?receipt={receipt.lower()}").content.decode()
    assert "Stage 1" in page and "<svg" in page and "<table" in page
    assert "was counted" in page
    assert f"python -m deliberation.tally cyd-{live.code}-round-{round_.pk}.blt --method irv --seed " in page
    wrong = client.get(f"/en/s/{live.code}/results/{round_.pk}/?receipt=AAAA-BBBB-CCCC").content.decode()
    assert "No ballot with this receipt code" in wrong


def test_published_downloads_are_anonymised_and_recount_to_the_same_winners(client, live, published, tmp_path):
    round_, receipt = published
    blt = client.get(f"/en/s/{live.code}/results/{round_.pk}.blt").content.decode()
    assert "Alys" not in blt and receipt not in blt
    path = tmp_path / "ballots.blt"
    path.write_text(blt)
    out = subprocess.run(
        [sys.executable, "-m", "deliberation.tally", str(path), "--method", "irv", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    recount = json.loads(out.stdout)
    # The same ballots and title give the same default seed, so the published count is reproduced exactly.
    assert recount["winners"] == round_.result["winners"] and recount["seed"] == round_.result["seed"]
    assert recount["stages"] == round_.result["stages"]
    rows = list(csv.reader(io.StringIO(client.get(f"/en/s/{live.code}/results/{round_.pk}.csv").content.decode())))
    assert len(rows) == 1 + 3 and all("Alys" not in cell for row in rows for cell in row)
    result = client.get(f"/en/s/{live.code}/results/{round_.pk}.json").json()
    assert result["winners"] == round_.result["winners"]
    receipts = client.get(f"/en/s/{live.code}/results/{round_.pk}.receipts").content.decode().split()
    assert receipt in receipts and len(receipts) == 3


def test_nobody_can_read_unpublished_results(client, live, fac_actor, facilitator):
    r = rounds_of(live)
    client.force_login(facilitator)
    assert client.get(f"/en/s/{live.code}/results/{r['vote'].pk}/").status_code == 404
    assert client.get(f"/en/s/{live.code}/results/{r['vote'].pk}.blt").status_code == 404


def test_facilitator_can_read_and_export_the_audit_log(client, live, facilitator, published):
    client.force_login(facilitator)
    page = client.get(f"/en/s/{live.code}/log/")
    assert page.status_code == 200 and b"round.published" in page.content
    data = client.get(f"/en/s/{live.code}/log.json").json()
    assert [e["seq"] for e in data["events"]] == list(range(1, len(data["events"]) + 1))
    rows = list(csv.reader(io.StringIO(client.get(f"/en/s/{live.code}/log.csv").content.decode())))
    assert rows[0][:3] == ["seq", "time", "type"] and len(rows) == len(data["events"]) + 1


def test_participant_cannot_read_the_audit_log(client, live):
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    assert client.get(f"/en/s/{live.code}/log/").status_code == 302  # not signed in: to the sign-in page


def test_anyone_can_get_the_presenter_screen_and_qr(client, live):
    page = client.get(f"/en/s/{live.code}/present/")
    assert page.status_code == 200 and live.code.encode() in page.content and b"<svg" in page.content
    qr = client.get(f"/en/s/{live.code}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")


def test_unknown_session_is_a_404(client):
    assert client.get("/en/s/NOPE99/").status_code == 404
    assert client.get(reverse("session", args=["NOPE99"])).status_code == 404


def test_facilitator_console_gives_a_presenter_link_that_lets_the_room_screen_connect(client, live, facilitator):
    import re

    client.force_login(facilitator)
    console = client.get(f"/en/s/{live.code}/facilitate/").content.decode()
    link = re.search(r'href="(/en/s/[A-Z0-9]+/present/\?key=[^"]+)"', console).group(1)
    client.logout()
    screen = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'data-key="' in screen and 'data-key=""' not in screen
    assert 'data-key=""' in client.get(f"/en/s/{live.code}/present/?key=forged").content.decode()


def test_participant_can_reply_to_a_comment_without_javascript(client, live, fac_actor, proposal_round):
    r = rounds_of(live)
    ideas = proposal_round(("Bus",), "Author", close=True)
    (proposal,), author = ideas.proposals, ideas.authors[0]
    services.round_open(actor=fac_actor, session=live, round_id=r["comment"].pk)
    top = services.comment_submit(
        actor=author, session=live, round_id=r["comment"].pk, proposal_id=proposal.pk, body="Who would drive it?"
    )
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert f'name="parent" value="{top.pk}"' in page
    fields = {
        "action": "comment.submit",
        "ref": "reply-1",
        "round": r["comment"].pk,
        "proposal": proposal.pk,
        "parent": top.pk,
        "body": "Volunteers, like the car scheme",
    }
    response = client.post(f"/en/s/{live.code}/act/", fields, follow=True)
    assert "Your comment has been added." in response.content.decode()
    assert Comment.objects.get(body__startswith="Volunteers").parent_id == top.pk


def test_visitor_sees_published_results_of_an_ended_session_and_cannot_join_it(client, live, published):
    round_, _receipt = published
    LiveSession.objects.filter(pk=live.pk).update(status=LiveSession.Status.ENDED)
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert f"/results/{round_.pk}/" in page and "This session has ended" in page and 'name="name"' not in page
    before = live.participants.count()
    client.post(f"/en/s/{live.code}/", {"name": "Late"})
    assert live.participants.count() == before


def test_facilitator_can_end_the_session_from_the_console(client, live, facilitator, fac_actor):
    r = rounds_of(live)
    client.force_login(facilitator)
    services.round_open(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    end = {"action": "session.end", "next": f"/en/s/{live.code}/facilitate/"}
    refused = client.post(f"/en/s/{live.code}/act/", end, follow=True).content.decode()
    assert "Close the open round before ending the session." in refused
    services.round_close(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    done = client.post(f"/en/s/{live.code}/act/", end, follow=True).content.decode()
    assert "The session has ended." in done
    live.refresh_from_db()
    assert live.status == "ended"


def test_facilitator_lands_on_their_sessions_after_signing_in(client, live, facilitator):
    response = client.post("/en/accounts/login/", {"username": "fac", "password": "pw-fac"})
    assert response.status_code == 302 and response["Location"] == "/en/sessions/"
    page = client.get("/en/sessions/").content.decode()
    assert live.title in page and f"/en/s/{live.code}/facilitate/" in page and "/present/?key=" in page
    assert "Sign out (fac)" in page


def test_visitor_is_asked_to_sign_in_for_the_sessions_list(client):
    response = client.get("/en/sessions/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
