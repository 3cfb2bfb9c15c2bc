"""The published results page: "no result" said plainly, readable numbers, elected colours, forgiving receipt checks."""

import re

import pytest

from deliberation import counting, results, services
from deliberation.models import LiveSession, Round
from tests.home.conftest import _isolated, _site_tree_keys, site_tree  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


TITLES = ("Bus to the surgery", "Community car scheme", "Cycle path")


def publish_vote(live, fac_actor, vote, rankings):
    """Enter `rankings` on the open vote round as paper slips, close and publish it."""
    for ranking in rankings:
        services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ranking)
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    vote.refresh_from_db()
    return vote


@pytest.fixture
def stv(live, fac_actor, open_vote):
    """A published STV count (2 seats, 6 ballots): A is elected at stage 1 with 3 votes, B at stage 2."""
    opened = open_vote(TITLES, "Alys", method="stv", seats=2)  # a draft's method and seats, as the admin saves them
    a, b, c = opened.ids
    return publish_vote(live, fac_actor, opened.round, [[a, b]] * 3 + [[b]] * 2 + [[c, a]])


def winners_panel(page):
    """The text of the results page's winners panel."""
    return re.search(r'<div class="panel[^"]*winners-panel">(.*?)</div>', page, re.S).group(1)


# --- defect 2: no ballots, no winner ---------------------------------------------------------


def test_anyone_reads_no_result_on_the_results_page_of_a_vote_with_no_ballots(client, live, fac_actor, open_vote):
    vote = publish_vote(live, fac_actor, open_vote(TITLES, "Alys").round, [])
    page = client.get(f"/en/s/{live.code}/results/{vote.pk}/").content.decode()
    panel = winners_panel(page)
    assert "No result" in panel and "No ballots were cast" in panel
    assert "Chosen" not in panel
    assert "Bus to the surgery" not in page and "Community car scheme" not in page and "Cycle path" not in page


def test_anyone_reads_no_result_when_there_were_fewer_ballots_than_winners(client, live, fac_actor, open_vote):
    opened = open_vote(TITLES, "Alys", method="stv", seats=2)
    a, b, _c = opened.ids
    vote = publish_vote(live, fac_actor, opened.round, [[a, b]])
    panel = winners_panel(client.get(f"/en/s/{live.code}/results/{vote.pk}/").content.decode())
    assert "No result" in panel and "fewer valid ballots than places to fill" in panel


def test_visitor_reads_no_result_on_the_consultation_page(client, live, fac_actor, open_vote, site_tree):  # noqa: F811
    live.consultation = site_tree.consultation_a
    live.save()
    publish_vote(live, fac_actor, open_vote(TITLES, "Alys").round, [])
    html = client.get("/en/board-a/rural-transport/").content.decode()
    section = html[html.index('class="live-sessions"') :]
    assert "No result: no ballots were cast." in section
    assert "Chosen:" not in section


def test_visitor_reads_no_result_in_the_results_list_of_an_ended_session(client, live, fac_actor, open_vote):
    publish_vote(live, fac_actor, open_vote(TITLES, "Alys").round, [])
    services.session_end(actor=fac_actor, session=LiveSession.objects.get(pk=live.pk))
    page = client.get(f"/en/s/{live.code}/").content.decode()
    assert "No result: no ballots were cast." in page
    assert "Bus to the surgery" not in page


# --- defect 8: receipts in any case, with spaces or without hyphens --------------------------


@pytest.mark.parametrize("typed", ["{r}", "{lower}", "{spaced}", "{bare}", "  {bare_lower} ", "{lower_spaced}"])
def test_voter_can_check_a_receipt_typed_in_any_case_with_spaces_or_no_hyphens(client, live, fac_actor, join, open_vote, typed):
    opened = open_vote(TITLES, "Alys")
    (a, b, _c), vote = opened.ids, opened.round
    _p, voter = join("Bryn")
    receipt = services.ballot_cast(actor=voter, session=live, round_id=vote.pk, ranking=[a, b]).receipt
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    bare = receipt.replace("-", "")
    text = typed.format(
        r=receipt,
        lower=receipt.lower(),
        spaced=receipt.replace("-", " "),
        bare=bare,
        bare_lower=bare.lower(),
        lower_spaced=receipt.lower().replace("-", " "),
    )
    assert counting.receipt_counted(vote, text)
    page = client.get(f"/en/s/{live.code}/results/{vote.pk}/", {"receipt": text}).content.decode()
    assert "Yes: a ballot with this receipt code was counted." in page
    assert f'value="{receipt}"' in page  # shown back in the printed form


def test_voter_cannot_match_a_different_receipt_by_normalising(live, join, open_vote):
    opened = open_vote(TITLES, "Alys")
    (a, b, _c), vote = opened.ids, opened.round
    _p, voter = join("Bryn")
    receipt = services.ballot_cast(actor=voter, session=live, round_id=vote.pk, ranking=[a, b]).receipt
    assert not counting.receipt_counted(vote, receipt.replace("-", "")[:-1])
    assert not counting.receipt_counted(vote, "")


# --- defect 11: numbers as people write them; elected stays elected -------------------------


@pytest.mark.parametrize(
    "value,shown",
    [
        ("3.00000", "3"),
        ("2.50000", "2.5"),
        ("1.33333", "1.33333"),
        ("0.00000", "0"),
        (3, "3"),
        (0, "0"),
        ("1.333333333333333333", "1.33333"),
        ("12.000000000000000000", "12"),
        ("300", "300"),
        (None, ""),
    ],
)
def test_count_number_shows_whole_numbers_whole_and_trims_decimals(value, shown):
    from deliberation.templatetags.cyd_live import count_number

    assert count_number(value) == shown


def test_anyone_reads_whole_numbers_on_an_stv_results_page(client, live, stv):
    page = client.get(f"/en/s/{live.code}/results/{stv.pk}/").content.decode()
    assert stv.result["quota"] == "3.00000"  # the published record keeps the exact figures
    assert "3.00000" not in page and "0.00000" not in page and ".00000" not in page
    assert "<dd>3</dd>" in page  # the quota
    assert '<td class="num">3</td>' in page


def test_already_elected_proposal_is_shown_elected_in_later_stages(client, live, stv):
    report = results.result_report(stv)
    first, second = report["stages"]
    assert first["elected"] == ["Bus to the surgery"] and "Bus to the surgery" not in second["elected"]
    status = {bar["name"]: bar["status"] for bar in second["chart"]["bars"]}
    assert status == {"Bus to the surgery": "elected", "Community car scheme": "elected", "Cycle path": "excluded"}
    page = client.get(f"/en/s/{live.code}/results/{stv.pk}/").content.decode()
    stage2 = page[page.index('id="stage-2"') :]
    assert '<tr class="row--elected"><th scope="row">Bus to the surgery</th>' in stage2
    assert re.search(r'class="bar bar--elected"', stage2.split('<div class="table-wrap">')[0])
    assert "row--continuing" not in stage2.split("</section>")[0]


def test_every_counting_method_has_its_explanation_on_the_results_page(client, live, stv):
    assert set(results.METHOD_EXPLANATIONS) == set(Round.Method.values)
    page = client.get(f"/en/s/{live.code}/results/{stv.pk}/").content.decode()
    assert f"<p>{results.METHOD_EXPLANATIONS['stv']}</p>" in page
    assert str(results.METHOD_EXPLANATIONS["irv"]) not in page
