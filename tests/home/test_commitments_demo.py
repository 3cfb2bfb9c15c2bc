"""The demo shows real example commitments, with statuses and progress, in English and Welsh.

A module of its own: the demo's live sessions use the join codes the `live` fixture of the other tests uses."""

import pytest
from wagtail.models import Revision

from home.demo import link_demo_commitments, load_demo
from home.models import Commitment, ConsultationPage

pytestmark = pytest.mark.django_db


def test_demo_shows_commitments_of_every_status_with_progress_in_english_and_welsh(demo, client):
    english = Commitment.objects.filter(page__locale__language_code="en")
    welsh = Commitment.objects.filter(page__locale__language_code="cy")
    assert set(english.values_list("status", flat=True)) == {"planned", "in_progress", "done", "not_doing"}
    assert english.count() == welsh.count()
    assert all(c.reason for c in english.filter(status="not_doing"))
    assert english.filter(updates__isnull=False).exists()
    for c in welsh.exclude(partner=None).select_related("partner", "page"):
        assert c.partner.page_id == c.page.get_parent().pk  # the Welsh board's own partner rows
    html = client.get("/cy/gorllewin-cymru/").content.decode()
    assert "Yr hyn wnaethon ni ymrwymo iddo" in html or "What we committed to" in html
    assert "Cyfoeth Naturiol Cymru" in html and "Agor pob cae ysgol i’r cyhoedd ar benwythnosau" in html
    page = client.get("/cy/gorllewin-cymru/mannau-gwyrdd-ac-adfer-natur/").content.decode()
    assert "Mae’r llwybrau o gwmpas 41 o’r 187 ysgol gynradd wedi’u mapio" in page
    assert "Map safe walking routes" not in page


def test_demo_links_the_commitment_that_answers_the_workshops_chosen_proposal(demo, client):
    consultation = ConsultationPage.objects.get(slug="rural-transport-to-services")
    link_demo_commitments(consultation)
    answered = Commitment.objects.filter(proposal__title="Community car scheme with volunteer drivers")
    assert sorted(answered.values_list("page__locale__language_code", flat=True)) == ["cy", "en"]
    revisions = Revision.objects.count()
    link_demo_commitments(consultation)  # a second run changes nothing
    load_demo(show_credentials=False)  # nor does loading the demo again: it keeps the link
    assert Revision.objects.count() == revisions
    html = client.get("/en/north-wales/rural-transport-to-services/").content.decode()
    assert "Community car scheme with volunteer drivers" in html
    assert "/en/s/RUTH34/results/" in html
