"""Every piece of content in both languages: a board's words in English and Welsh, contributions knowing theirs."""

import json

import pytest
from channels.db import database_sync_to_async
from django.utils import translation

from deliberation import protocol, selectors, services
from deliberation.errors import ServiceError
from deliberation.models import Comment, Event, LiveSession, Proposal, Round
from deliberation.rules import Actor
from deliberation.text import missing_languages, pick, pick_field
from tests.conftest import rounds_of

pytestmark = pytest.mark.django_db

WELSH_TITLE = "Syniadau am drafnidiaeth"
WELSH_PROMPT = "Rhowch un syniad ym mhob cynnig."


def _welsh_round(live, kind="proposal"):
    """The session's round of that kind, with its words in both languages."""
    round_ = rounds_of(live)[kind]
    round_.title_cy, round_.prompt, round_.prompt_cy = WELSH_TITLE, "One idea each.", WELSH_PROMPT
    round_.save()
    return round_


# --- the one helper -----------------------------------------------------------------------------------------------


def test_reader_sees_their_language_and_the_other_when_it_is_missing():
    assert pick("Ideas", "Syniadau", "cy") == "Syniadau" and pick("Ideas", "Syniadau", "cy").lang == "cy"
    assert pick("Ideas", "Syniadau", "en") == "Ideas" and pick("Ideas", "Syniadau", "en").lang == "en"
    assert pick("Ideas", "", "cy") == "Ideas" and pick("Ideas", "  ", "cy").lang == "en"  # fallback, marked English
    assert pick("", "Syniadau", "en") == "Syniadau" and pick("", "Syniadau", "en").lang == "cy"
    assert pick("", "", "cy") == "" and pick(None, None, "en").lang == "en"
    with translation.override("cy"):  # the active language when none is given
        assert pick_field({"title": "Ideas", "title_cy": "Syniadau"}, "title") == "Syniadau"


def test_missing_languages_names_the_language_a_text_lacks():
    assert missing_languages({"title": "Ideas", "title_cy": "", "prompt": "", "prompt_cy": ""}, ["title", "prompt"]) == ["cy"]
    assert missing_languages(
        {"title": "Ideas", "title_cy": "Syniadau", "prompt": "", "prompt_cy": "Un"}, ["title", "prompt"]
    ) == ["en"]
    assert missing_languages({"title": "Ideas", "title_cy": "Syniadau", "prompt": "", "prompt_cy": ""}, ["title", "prompt"]) == []


def test_models_show_their_words_in_the_active_language(live):
    live.title_cy, live.description, live.description_cy = "Trafnidiaeth wledig", "About buses", ""
    round_ = _welsh_round(live)
    with translation.override("cy"):
        assert live.shown_title == "Trafnidiaeth wledig" and live.shown_title.lang == "cy"
        assert live.shown_description == "About buses" and live.shown_description.lang == "en"
        assert round_.shown_title == WELSH_TITLE and round_.shown_prompt == WELSH_PROMPT
    assert live.shown_title == "Rural transport" and round_.shown_title.lang == "en"


# --- rounds: create, update, the state ----------------------------------------------------------------------------


def test_facilitator_can_create_a_round_in_both_languages(live, fac_actor):
    payload = {"kind": "proposal", "title": "More ideas", "title_cy": "Rhagor o syniadau", "prompt": "Go", "prompt_cy": "Ewch"}
    ack = protocol.dispatch(fac_actor, live, "round.create", payload, "r1")
    round_ = Round.objects.get(pk=ack["id"])
    assert (round_.title_cy, round_.prompt_cy) == ("Rhagor o syniadau", "Ewch")
    created = Event.objects.get(session=live, type="round.created")
    assert created.payload["round"]["title_cy"] == "Rhagor o syniadau" and created.payload["round"]["prompt_cy"] == "Ewch"


@pytest.mark.parametrize(
    "extra", [{"title_cy": "x" * 201}, {"prompt_cy": "x" * 2001}, {"title_cy": 5}, {"title_cy": "a\x00b"}, {"summary_cy": "x"}]
)
def test_facilitator_cannot_create_a_round_with_bad_welsh_and_nothing_is_made(live, fac_actor, extra):
    before = Round.objects.count()
    with pytest.raises(ServiceError) as refused:
        protocol.dispatch(fac_actor, live, "round.create", {"kind": "proposal", "title": "More"} | extra, "r1")
    assert refused.value.code == "invalid"
    assert Round.objects.count() == before


def test_facilitator_can_add_the_welsh_to_a_draft_and_only_facilitators_hear_of_it(live, fac_actor):
    round_ = rounds_of(live)["proposal"]
    protocol.dispatch(fac_actor, live, "round.update", {"round": round_.pk, "title_cy": "Syniadau", "prompt_cy": "Un"}, "u1")
    round_.refresh_from_db()
    assert (round_.title, round_.title_cy, round_.prompt_cy) == ("Ideas", "Syniadau", "Un")
    event = Event.objects.get(session=live, type="round.updated")
    assert event.audience == Event.Audience.FACILITATORS  # participants never see drafts
    assert event.payload["round"]["title_cy"] == "Syniadau"


def test_facilitator_can_correct_the_welsh_of_an_open_round_and_everyone_sees_it(live, fac_actor):
    round_ = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=round_.pk)
    protocol.dispatch(fac_actor, live, "round.update", {"round": round_.pk, "title_cy": "Syniadau"}, "u1")
    assert Event.objects.get(session=live, type="round.updated").audience == Event.Audience.ALL


@pytest.mark.parametrize(
    "payload", [{"title_cy": "x" * 201}, {"title": ""}, {"prompt": "x" * 2001}, {}, {"kind": "vote"}, {"title_cy": ["x"]}]
)
def test_facilitator_cannot_update_a_round_with_bad_words_and_nothing_changes(live, fac_actor, payload):
    round_ = rounds_of(live)["proposal"]
    with pytest.raises(ServiceError) as refused:
        protocol.dispatch(fac_actor, live, "round.update", {"round": round_.pk} | payload, "u1")
    assert refused.value.code == "invalid"
    round_.refresh_from_db()
    assert (round_.kind, round_.title, round_.title_cy, round_.prompt) == ("proposal", "Ideas", "", "")
    assert not Event.objects.filter(session=live, type="round.updated").exists()


def test_participant_cannot_update_a_round(live, join):
    _participant, alys = join("Alys")
    round_ = rounds_of(live)["proposal"]
    with pytest.raises(ServiceError) as refused:
        protocol.dispatch(alys, live, "round.update", {"round": round_.pk, "title_cy": "Hacked"}, "u1")
    assert refused.value.code in {"forbidden", "not_joined"}
    round_.refresh_from_db()
    assert round_.title_cy == ""


def test_state_carries_both_languages_of_the_session_and_its_rounds(live, fac_actor):
    live.title_cy = "Trafnidiaeth wledig"
    live.save()
    round_ = _welsh_round(live)
    state = selectors.session_state(live, fac_actor)["payload"]
    assert state["session"]["title"] == "Rural transport" and state["session"]["title_cy"] == "Trafnidiaeth wledig"
    summary = next(r for r in state["rounds"] if r["id"] == round_.pk)
    assert (summary["title"], summary["title_cy"], summary["prompt_cy"]) == ("Ideas", WELSH_TITLE, WELSH_PROMPT)


# --- contributions record their language ---------------------------------------------------------------------------


def _proposal_round_open(live, fac_actor):
    round_ = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=round_.pk)
    return round_


def test_participant_proposal_records_the_language_it_is_written_in(live, fac_actor, join):
    round_ = _proposal_round_open(live, fac_actor)
    _p, alys = join("Alys")
    ack = protocol.dispatch(
        alys, live, "proposal.submit", {"round": round_.pk, "title": "Bws i'r feddygfa", "language": "cy"}, "p1"
    )
    proposal = Proposal.objects.get(pk=ack["id"])
    assert proposal.language == "cy"
    assert selectors.proposal_public(proposal)["language"] == "cy"
    event = Event.objects.get(session=live, type="proposal.submitted")
    assert event.payload["proposal"]["language"] == "cy"


def test_participant_proposal_without_a_language_is_in_the_language_of_their_page(live, fac_actor, join):
    round_ = _proposal_round_open(live, fac_actor)
    _p, alys = join("Alys")
    with translation.override("cy"):
        ack = protocol.dispatch(alys, live, "proposal.submit", {"round": round_.pk, "title": "Bws"}, "p1")
    assert Proposal.objects.get(pk=ack["id"]).language == "cy"
    ack = protocol.dispatch(alys, live, "proposal.submit", {"round": round_.pk, "title": "Bus"}, "p2")
    assert Proposal.objects.get(pk=ack["id"]).language == "en"


@pytest.mark.parametrize("language", ["fr", "", "CY", "cy-GB", 1, True, ["cy"]])
def test_participant_cannot_write_in_another_language_and_nothing_is_stored(live, fac_actor, join, language):
    round_ = _proposal_round_open(live, fac_actor)
    _p, alys = join("Alys")
    with pytest.raises(ServiceError) as refused:
        protocol.dispatch(alys, live, "proposal.submit", {"round": round_.pk, "title": "Bus", "language": language}, "p1")
    assert refused.value.code == "invalid"
    assert refused.value.message  # a clear, translated message
    assert not Proposal.objects.exists()
    assert not Event.objects.filter(type="proposal.submitted").exists()


def test_participant_comment_and_reply_record_their_language(live, fac_actor, proposal_round, join):
    ideas = proposal_round(close=True)
    discuss = rounds_of(live)["comment"]
    services.round_open(actor=fac_actor, session=live, round_id=discuss.pk)
    _p, alys = join("Alys")
    first = protocol.dispatch(
        alys, live, "comment.submit", {"round": discuss.pk, "proposal": ideas.ids[0], "body": "Da", "language": "cy"}, "c1"
    )
    reply = protocol.dispatch(
        alys,
        live,
        "comment.submit",
        {"round": discuss.pk, "proposal": ideas.ids[0], "body": "Yes", "parent": first["id"], "language": "en"},
        "c2",
    )
    assert Comment.objects.get(pk=first["id"]).language == "cy"
    assert selectors.comment_public(Comment.objects.get(pk=reply["id"]))["language"] == "en"
    with pytest.raises(ServiceError) as refused:
        protocol.dispatch(
            alys, live, "comment.submit", {"round": discuss.pk, "proposal": ideas.ids[0], "body": "Oui", "language": "fr"}, "c3"
        )
    assert refused.value.code == "invalid"
    assert Comment.objects.count() == 2


def test_replay_carries_the_language_of_each_contribution(live, fac_actor, join):
    round_ = _proposal_round_open(live, fac_actor)
    _p, alys = join("Alys")
    protocol.dispatch(alys, live, "proposal.submit", {"round": round_.pk, "title": "Bws", "language": "cy"}, "p1")
    replay = selectors.events_after(live, 0, facilitator=False)
    submitted = next(e for e in replay if e["type"] == "proposal.submitted")
    assert submitted["payload"]["proposal"]["language"] == "cy"


# --- pages -------------------------------------------------------------------------------------------------------


def _joined_client(client, live, lang):
    client.post(f"/{lang}/s/{live.code}/", {"name": "Alys"})
    return client


def test_welsh_citizen_sees_the_welsh_round_and_session_marked_cy(client, live, fac_actor):
    live.title_cy = "Trafnidiaeth wledig"
    live.save()
    round_ = _welsh_round(live)
    services.round_open(actor=fac_actor, session=live, round_id=round_.pk)
    page = _joined_client(client, live, "cy").get(f"/cy/s/{live.code}/").content.decode()
    assert f'lang="cy">{WELSH_TITLE}</h2>' in page
    assert f'lang="cy">{WELSH_PROMPT}</p>' in page
    assert '<h1 lang="cy">Trafnidiaeth wledig</h1>' in page
    english = client.get(f"/en/s/{live.code}/").content.decode()
    assert 'lang="en">Ideas</h2>' in english and WELSH_TITLE not in english.split('id="current-heading"')[1][:200]


def test_welsh_citizen_sees_english_marked_en_where_the_welsh_is_missing(client, live, fac_actor):
    round_ = rounds_of(live)["proposal"]
    services.round_open(actor=fac_actor, session=live, round_id=round_.pk)
    page = _joined_client(client, live, "cy").get(f"/cy/s/{live.code}/").content.decode()
    assert 'lang="en">Ideas</h2>' in page
    assert '<h1 lang="en">Rural transport</h1>' in page


def test_citizen_form_offers_written_in_defaulting_to_the_page_language(client, live, fac_actor):
    _proposal_round_open(live, fac_actor)
    page = _joined_client(client, live, "cy").get(f"/cy/s/{live.code}/").content.decode()
    form = page.split('id="propose"')[1].split("</form>")[0]
    assert 'name="language" value="cy" checked' in form
    assert 'name="language" value="en">' in form


def test_participant_without_javascript_writes_in_the_page_language_or_the_one_chosen(client, live, fac_actor):
    round_ = _proposal_round_open(live, fac_actor)
    _joined_client(client, live, "cy")
    fields = {"action": "proposal.submit", "round": round_.pk}
    client.post(f"/cy/s/{live.code}/act/", fields | {"ref": "a", "title": "Bws"})
    client.post(f"/cy/s/{live.code}/act/", fields | {"ref": "b", "title": "Bus", "language": "en"})
    client.post(f"/cy/s/{live.code}/act/", fields | {"ref": "c", "title": "Autobus", "language": "fr"})
    assert dict(Proposal.objects.values_list("title", "language")) == {"Bws": "cy", "Bus": "en"}
    page = client.get(f"/cy/s/{live.code}/").content.decode()
    assert '<h3 class="proposal__title" data-slot="title" lang="cy">Bws</h3>' in page
    assert '<h3 class="proposal__title" data-slot="title" lang="en">Bus</h3>' in page


def test_presenter_can_show_both_languages_welsh_first(client, live, fac_actor):
    live.title_cy = "Trafnidiaeth wledig"
    live.save()
    round_ = _welsh_round(live)
    services.round_open(actor=fac_actor, session=live, round_id=round_.pk)
    one = client.get(f"/en/s/{live.code}/present/").content.decode()
    assert 'data-both=""' in one and WELSH_TITLE not in one.split("present__main")[1].split("present-results")[0]
    assert f'href="/en/s/{live.code}/present/?both=1"' in one  # the toggle, a plain link
    both = client.get(f"/en/s/{live.code}/present/?both=1").content.decode()
    heading = both.split('data-slot="title">')[1].split("</h2>")[0]
    assert heading.index('lang="cy"') < heading.index('lang="en"')
    assert WELSH_TITLE in heading and "Ideas" in heading
    assert f'<span lang="cy" class="both__first">{WELSH_PROMPT}</span>' in both
    assert f'href="/en/s/{live.code}/present/"' in both  # back to one language


def test_presenter_marks_each_proposal_with_its_language(client, live, fac_actor, join):
    round_ = _proposal_round_open(live, fac_actor)
    _p, alys = join("Alys")
    protocol.dispatch(alys, live, "proposal.submit", {"round": round_.pk, "title": "Bws", "language": "cy"}, "p1")
    assert '<li lang="cy">Bws</li>' in client.get(f"/en/s/{live.code}/present/").content.decode()


def test_facilitator_console_warns_of_a_round_missing_welsh(client, live, facilitator):
    _welsh_round(live)  # the proposal round is in both languages; the others are not
    client.force_login(facilitator)
    page = client.get(f"/en/s/{live.code}/facilitate/").content.decode()
    rows = {kind: page.split(f'id="round-{r.pk}"')[1].split("</tr>")[0] for kind, r in rounds_of(live).items()}
    warning = "No Welsh yet: Welsh readers see the English words."
    assert warning not in rows["proposal"].split('data-slot="missing"')[1].split("</span>")[0]
    assert warning in rows["vote"].split('data-slot="missing"')[1].split("</span>")[0]
    assert 'name="title_cy"' in page and 'name="prompt_cy"' in page  # add a round, change a round's words


def test_facilitator_without_javascript_can_add_the_welsh(client, live, facilitator):
    round_ = rounds_of(live)["vote"]
    client.force_login(facilitator)
    fields = {"action": "round.update", "round": round_.pk, "title": "Decide", "title_cy": "Penderfynu", "prompt": ""}
    response = client.post(f"/en/s/{live.code}/act/", fields | {"prompt_cy": ""}, follow=True)
    assert "The round&#x27;s words are saved." in response.content.decode()
    round_.refresh_from_db()
    assert round_.title_cy == "Penderfynu"


def test_editor_sees_a_warning_not_a_refusal_for_missing_welsh(admin_client, live):
    url = f"/admin/snippets/deliberation/livesession/edit/{live.pk}/"
    page = admin_client.get(url).content.decode()
    assert "Warning: no Welsh yet" in page
    live.title_cy = "Trafnidiaeth wledig"
    live.save()
    for round_ in live.rounds.all():
        round_.title_cy = f"{round_.title} (cy)"
        round_.save()
    assert "Warning: no Welsh yet" not in admin_client.get(url).content.decode()


def test_results_page_shows_the_round_title_in_the_page_language(client, live, open_vote, fac_actor):
    vote = open_vote()
    vote.round.title_cy = "Penderfynu"
    vote.round.save()
    services.round_close(actor=fac_actor, session=live, round_id=vote.round.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.round.pk)
    page = client.get(f"/cy/s/{live.code}/results/{vote.round.pk}/").content.decode()
    assert "Penderfynu" in page


# --- the socket ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_welsh_socket_gets_both_languages_and_writes_in_welsh_by_default(live, facilitator, join, connect):
    round_ = await database_sync_to_async(_welsh_round)(live)
    await database_sync_to_async(services.round_open)(actor=Actor(user=facilitator), session=live, round_id=round_.pk)
    alys, _ = await database_sync_to_async(join)("Alys")
    _, client, first = await connect(live.code, participant=alys, query="lang=cy")
    summary = first["payload"]["rounds"][0]
    assert (summary["title"], summary["title_cy"], summary["prompt_cy"]) == ("Ideas", WELSH_TITLE, WELSH_PROMPT)
    reply = await client.send("proposal.submit", {"round": round_.pk, "title": "Bws"})
    assert reply["type"] == "ack"
    event = await client.event("proposal.submitted")
    assert event["payload"]["proposal"]["language"] == "cy"
    bad = await client.send("proposal.submit", {"round": round_.pk, "title": "Bus", "language": "xx"})
    assert bad["type"] == "error" and bad["code"] == "invalid"
    assert await database_sync_to_async(Proposal.objects.count)() == 1
    json.dumps(first)  # the state (with its picked texts) is plain JSON
    await client.close()


def test_demo_content_is_in_both_languages(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    for session in LiveSession.objects.all():
        assert session.title_cy and session.title_cy != session.title, session.code
        for round_ in session.rounds.all():
            assert round_.title_cy and round_.title_cy != round_.title, (session.code, round_.title)
            assert not missing_languages(round_, ["title", "prompt"]), (session.code, round_.title)
