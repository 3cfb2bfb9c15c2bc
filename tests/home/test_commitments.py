"""'You said, we did' as commitments: who does what, how far it has got, and which chosen proposal it answers."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Revision

from deliberation import services
from deliberation.models import LiveSession, Proposal, Round
from home.models import BoardPartner, Commitment, ConsultationPage

from .conftest import add_page
from .test_translation_drift import publish_in_admin

pytestmark = pytest.mark.django_db


def commitment(page, **fields):
    """An unsaved commitment on `page` (in progress, by nobody in particular) with `fields` changed."""
    return Commitment(page=page, **{"title": "Later clinics", "status": "in_progress", **fields})


@pytest.fixture
def published_vote(site_tree, live, open_vote, join, fac_actor):
    """The `live` session, attached to consultation A, with a published vote that chose "Bus"; returns the round."""
    LiveSession.objects.filter(pk=live.pk).update(consultation=site_tree.consultation_a)
    vote = open_vote()
    for ranking in ([0, 1, 2], [0, 2, 1], [1, 0, 2]):
        _participant, actor = join()
        services.ballot_cast(actor=actor, session=live, round_id=vote.round.pk, ranking=[vote.ids[i] for i in ranking])
    services.round_close(actor=fac_actor, session=live, round_id=vote.round.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.round.pk)
    return Round.objects.get(pk=vote.round.pk)


def proposal(title):
    """The proposal with this title."""
    return Proposal.objects.get(title=title)


# --- validation --------------------------------------------------------------------------------------------------


def test_editor_cannot_mark_a_commitment_not_doing_without_a_reason(site_tree):
    with pytest.raises(ValidationError) as error:
        commitment(site_tree.consultation_a, status="not_doing", reason="  ").full_clean()
    assert "reason" in error.value.message_dict
    commitment(site_tree.consultation_a, status="not_doing", reason="No money for it this year.").full_clean()
    commitment(site_tree.consultation_a, status="planned").full_clean()  # only "not doing" needs one


def test_editor_cannot_name_a_partner_of_another_board(site_tree):
    other_board = site_tree.board_b.partners.first()
    with pytest.raises(ValidationError) as error:
        commitment(site_tree.consultation_a, partner=other_board).full_clean()
    assert "partner" in error.value.message_dict
    commitment(site_tree.consultation_a, partner=site_tree.board_a.partners.first()).full_clean()
    commitment(site_tree.consultation_a, partner=None).full_clean()  # the board as a whole


def test_editor_can_only_answer_a_proposal_chosen_in_a_published_vote_of_this_consultation(site_tree, published_vote):
    commitment(site_tree.consultation_a, proposal=proposal("Bus")).full_clean()
    # Its Welsh translation answers the same session's proposals.
    commitment(site_tree.consultation_a_cy, proposal=proposal("Bus")).full_clean()
    for page, title in [
        (site_tree.consultation_a, "Car share"),  # on the ballot, not chosen
        (site_tree.consultation_b, "Bus"),  # chosen, in another consultation's session
    ]:
        with pytest.raises(ValidationError) as error:
            commitment(page, proposal=proposal(title)).full_clean()
        assert "proposal" in error.value.message_dict


def test_editor_cannot_answer_a_proposal_of_a_vote_not_yet_published(site_tree, live, open_vote, join, fac_actor):
    LiveSession.objects.filter(pk=live.pk).update(consultation=site_tree.consultation_a)
    vote = open_vote()
    _participant, actor = join()
    services.ballot_cast(actor=actor, session=live, round_id=vote.round.pk, ranking=[vote.ids[0]])
    services.round_close(actor=fac_actor, session=live, round_id=vote.round.pk)  # counted, not published
    with pytest.raises(ValidationError) as error:
        commitment(site_tree.consultation_a, proposal=proposal("Bus")).full_clean()
    assert "proposal" in error.value.message_dict


def test_editor_is_offered_only_this_boards_partners_and_this_consultations_chosen_proposals(
    site_tree, published_vote, admin_user
):
    page = site_tree.consultation_a
    form_class = ConsultationPage.get_edit_handler().get_form_class()
    form = form_class(instance=page, parent_page=site_tree.board_a, for_user=admin_user)
    formset = form.formsets["commitments"]
    for child in [*formset.forms, formset.empty_form]:
        assert list(child.fields["partner"].queryset) == list(site_tree.board_a.partners.all())
        assert [p.title for p in child.fields["proposal"].queryset] == ["Bus"]
    # Progress updates are edited inside each commitment.
    assert "updates" in formset.forms[0].formsets


def test_editor_sees_commitments_and_their_progress_updates_in_the_page_editor(admin_client, site_tree):
    html = admin_client.get(f"/admin/pages/{site_tree.consultation_a.pk}/edit/").content.decode()
    assert "Later clinics." in html
    assert "Two clinics start at 10am." in html  # a progress update, in the nested panel
    assert "Progress update" in html


def test_copying_a_consultation_into_welsh_points_its_commitments_at_the_welsh_boards_partners(site_tree):
    cy = site_tree.consultation_a_cy.locale
    page = add_page(
        site_tree.board_a,
        ConsultationPage(
            title="Libraries",
            slug="libraries",
            question="What should libraries do?",
            commitments=[commitment(None, partner=site_tree.board_a.partners.first())],
        ),
    )
    welsh = page.copy_for_translation(cy).specific
    assert [c.partner for c in welsh.commitments.all()] == [site_tree.board_a_cy.partners.first()]
    editing = welsh.get_latest_revision_as_object()  # what the editor opens
    assert [c.partner_id for c in editing.commitments.all()] == [site_tree.board_a_cy.partners.first().pk]


# --- what visitors see -------------------------------------------------------------------------------------------


def test_visitor_sees_commitments_with_status_partner_and_progress_in_english_and_welsh(client, site_tree):
    html = client.get("/en/board-a/rural-transport/").content.decode()
    assert "Later clinics." in html and "Buses are too early." in html
    assert '<strong class="tag tag--in_progress"><span class="visually-hidden">Status: </span>In progress</strong>' in html
    assert "Board A Council" in html
    assert "Two clinics start at 10am." in html and '<time datetime="2026-10-12">' in html
    assert "1 commitment: 1 in progress." in html
    cy = client.get("/cy/bwrdd-a/trafnidiaeth-wledig/").content.decode()
    assert "Clinigau hwyrach." in cy and "Mae dau glinig yn dechrau am 10am." in cy
    assert "Cyngor Bwrdd A" in cy and "Board A Council" not in cy
    assert "Later clinics." not in cy


def test_visitor_sees_why_the_board_is_not_doing_something(client, site_tree):
    page = site_tree.consultation_a
    page.commitments.add(commitment(page, title="A free minibus", status="not_doing", reason="No money this year."))
    page.save_revision().publish()
    html = client.get("/en/board-a/rural-transport/").content.decode()
    assert "A free minibus" in html and "Not doing" in html and "No money this year." in html
    assert "The board as a whole" in html


def test_visitor_sees_the_chosen_proposal_a_commitment_answers_with_a_link_to_its_results(
    client, site_tree, published_vote, live
):
    page = site_tree.consultation_a
    page.commitments.add(commitment(page, title="Run a bus to the surgery", proposal=proposal("Bus")))
    page.save_revision().publish()
    html = client.get("/en/board-a/rural-transport/").content.decode()
    assert "Run a bus to the surgery" in html
    assert f'href="/en/s/{live.code}/results/{published_vote.pk}/"' in html
    assert "You chose" in html


def test_visitor_sees_the_boards_commitments_grouped_by_partner_with_status_counts(client, site_tree):
    page = site_tree.consultation_a
    partner = site_tree.board_a.partners.first()
    page.commitments.add(commitment(page, title="Bus passes", partner=partner, status="done"))
    page.commitments.add(commitment(page, title="A free minibus", status="not_doing", reason="No money."))
    page.save_revision().publish()
    html = client.get("/en/board-a/").content.decode()
    assert "What we committed to" in html
    # One row per partner: planned, in progress, done, not doing.
    assert '<th scope="row"><a href="#committed-1">Board A Council</a></th><td>0</td><td>1</td><td>1</td><td>0</td>' in html
    assert '<a href="#committed-2">The board as a whole</a></th><td>0</td><td>0</td><td>0</td><td>1</td>' in html
    council = html.index('id="committed-1"')
    whole = html.index('id="committed-2"')
    assert council < html.index("Bus passes") < whole < html.index("A free minibus")
    assert "Board B" not in html.split('id="committed"')[1].split("</section>")[0]


def test_visitor_sees_no_commitments_section_on_a_board_without_any(client, site_tree):
    Commitment.objects.filter(page__in=ConsultationPage.objects.child_of(site_tree.board_b)).delete()
    assert "What we committed to" not in client.get("/en/board-b/").content.decode()


def test_removing_a_partner_keeps_its_commitments_as_the_whole_boards(site_tree):
    partner = site_tree.board_a.partners.first()
    BoardPartner.objects.filter(pk=partner.pk).delete()
    assert site_tree.consultation_a.commitments.get().partner is None


def test_editor_publishing_a_bad_commitment_gets_clear_errors_and_nothing_changes(admin_client, site_tree):
    page = site_tree.consultation_a
    revisions = Revision.objects.count()
    response = publish_in_admin(
        admin_client,
        page,
        **{
            "commitments-0-partner": str(site_tree.board_b.partners.first().pk),
            "commitments-0-status": "not_doing",
            "commitments-0-reason": "",
        },
    )
    html = response.content.decode()
    assert "Select a valid choice" in html  # a partner of another board is not on offer
    assert "Say why the board is not doing this" in html
    assert Revision.objects.count() == revisions
    kept = ConsultationPage.objects.get(pk=page.pk).commitments.get()
    assert (kept.partner, kept.status) == (site_tree.board_a.partners.first(), "in_progress")


def test_editor_can_publish_a_commitment_answering_the_chosen_proposal_in_the_page_editor(
    admin_client, site_tree, published_vote
):
    page = site_tree.consultation_a
    response = publish_in_admin(
        admin_client, page, **{"commitments-0-proposal": str(proposal("Bus").pk), "commitments-0-status": "done"}
    )
    assert response.status_code == 200
    kept = ConsultationPage.objects.get(pk=page.pk).commitments.get()
    assert (kept.proposal, kept.status) == (proposal("Bus"), "done")
    assert [u.text for u in kept.updates.all()] == ["Two clinics start at 10am."]  # nested updates kept
