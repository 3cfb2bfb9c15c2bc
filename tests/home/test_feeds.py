"""A board's Atom feeds (home/feeds.py): its consultations, and "you said, we did" with each progress update."""

import html
import xml.etree.ElementTree as ET
from datetime import date

from home.models import CommitmentUpdate, ConsultationPage

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed(client, url):
    """The feed at `url`, parsed, with its entries as dicts (id, title, link, summary as HTML, updated)."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "updated": entry.findtext(f"{ATOM}updated"),
        }
        for entry in root.iter(f"{ATOM}entry")
    ]
    return root, entries


def test_consultations_feed_lists_the_boards_consultations_only_with_absolute_links(client, site_tree):
    root, entries = feed(client, f"/en/boards/{site_tree.board_a.pk}/feeds/consultations.atom")
    assert root.get(XML_LANG) == "en"
    assert root.findtext(f"{ATOM}title") == "Board A: consultations"
    assert [e["title"] for e in entries] == ["Rural transport"]  # not board B's "Loneliness"
    [entry] = entries
    assert entry["link"] == "http://localhost/en/board-a/rural-transport/"
    assert entry["id"] == f"tag:localhost,2026:cyd:consultation:{site_tree.consultation_a.pk}"
    assert html.unescape(entry["summary"]) == "<p>How should people reach the surgery without a bus?</p>"
    assert entry["updated"].startswith(site_tree.consultation_a.last_published_at.date().isoformat())
    # The same request gives the same feed: entries are stable.
    assert feed(client, f"/en/boards/{site_tree.board_a.pk}/feeds/consultations.atom")[1] == entries


def test_feeds_on_cy_are_the_welsh_board_in_welsh(client, site_tree):
    for board in (site_tree.board_a, site_tree.board_a_cy):  # the English board's id under /cy/ gives the Welsh one
        root, entries = feed(client, f"/cy/boards/{board.pk}/feeds/consultations.atom")
        assert root.get(XML_LANG) == "cy"
        assert root.findtext(f"{ATOM}title").startswith("Bwrdd A")
        assert [e["title"] for e in entries] == ["Trafnidiaeth wledig"]
        assert entries[0]["link"] == "http://localhost/cy/bwrdd-a/trafnidiaeth-wledig/"
    root, entries = feed(client, f"/cy/boards/{site_tree.board_a.pk}/feeds/commitments.atom")
    assert root.get(XML_LANG) == "cy"
    assert sorted(e["title"] for e in entries) == ["Clinigau hwyrach.", "Cynnydd ar “Clinigau hwyrach.”"]
    assert all("Statws: " in e["summary"] and "Partner cyfrifol: Cyngor Bwrdd A" in e["summary"] for e in entries)
    assert any("Mae dau glinig yn dechrau am 10am." in e["summary"] for e in entries)


def test_commitments_feed_has_each_commitment_and_progress_update_of_the_board(client, site_tree):
    consultation = ConsultationPage.objects.get(pk=site_tree.consultation_a.pk)
    commitment = consultation.commitments.get()
    CommitmentUpdate.objects.create(commitment=commitment, date=date(2026, 11, 20), text="A third clinic opens.")
    root, entries = feed(client, f"/en/boards/{site_tree.board_a.pk}/feeds/commitments.atom")
    assert root.get(XML_LANG) == "en" and root.findtext(f"{ATOM}title") == "Board A: you said, we did"
    titles = ["Later clinics.", "Progress on “Later clinics.”", "Progress on “Later clinics.”"]
    assert sorted(e["title"] for e in entries) == titles
    assert [e["updated"] for e in entries] == sorted((e["updated"] for e in entries), reverse=True)  # newest first
    [newest, oldest] = [e for e in entries if e["title"].startswith("Progress")]
    assert newest["updated"].startswith("2026-11-20") and oldest["updated"].startswith("2026-10-12")
    assert newest["link"] == "http://localhost/en/board-a/rural-transport/#you-said-we-did"
    summary = html.unescape(newest["summary"])
    assert "A third clinic opens." in summary and "Status: In progress" in summary
    assert "Responsible partner: Board A Council" in summary and "Rural transport" in summary
    [made] = [e for e in entries if e["title"] == "Later clinics."]
    assert "You said: Buses are too early." in html.unescape(made["summary"])
    assert made["updated"].startswith(consultation.last_published_at.date().isoformat())
    ids = [e["id"] for e in entries]
    assert len(set(ids)) == 3 and f"tag:localhost,2026:cyd:commitment:{commitment.pk}" in ids
    assert all(not e["title"].startswith("Loneliness") for e in entries)
    board_b = feed(client, f"/en/boards/{site_tree.board_b.pk}/feeds/commitments.atom")[1]
    assert {e["id"] for e in board_b}.isdisjoint(ids)


def test_feed_text_is_escaped_and_keeps_welsh_characters(client, site_tree):
    consultation = ConsultationPage.objects.get(pk=site_tree.consultation_a.pk)
    consultation.title = "Bysiau < trenau & ŵyl"
    consultation.intro = "<b>Dŵr</b> & “tân”"
    consultation.save_revision().publish()
    CommitmentUpdate.objects.create(commitment=consultation.commitments.get(), date=date(2026, 11, 20), text="a<b & ŷ")
    raw = client.get(f"/en/boards/{site_tree.board_a.pk}/feeds/consultations.atom").content
    assert "Bysiau &lt; trenau &amp; ŵyl".encode() in raw  # escaped once for XML, UTF-8 kept
    _root, [entry] = feed(client, f"/en/boards/{site_tree.board_a.pk}/feeds/consultations.atom")
    assert entry["title"] == "Bysiau < trenau & ŵyl"  # a text title: exactly the words
    # The summary is HTML: the editor's text is escaped in it, never markup.
    assert "<b>" not in entry["summary"] and html.unescape(entry["summary"]) == "<p><b>Dŵr</b> & “tân”</p>"
    _root, entries = feed(client, f"/en/boards/{site_tree.board_a.pk}/feeds/commitments.atom")
    [update] = [e for e in entries if "ŷ" in e["summary"]]
    assert update["summary"].startswith("<p>a&lt;b &amp; ŷ</p>")


def test_feed_of_an_unknown_unpublished_or_non_board_page_is_not_found(client, site_tree):
    for name in ("consultations", "commitments"):
        assert client.get(f"/en/boards/999999/feeds/{name}.atom").status_code == 404
        assert client.get(f"/en/boards/{site_tree.consultation_a.pk}/feeds/{name}.atom").status_code == 404
        assert client.get(f"/en/boards/{site_tree.home.pk}/feeds/{name}.atom").status_code == 404
    site_tree.board_a.unpublish()
    assert client.get(f"/en/boards/{site_tree.board_a.pk}/feeds/consultations.atom").status_code == 404
    assert client.get(f"/en/boards/{site_tree.board_a.pk}/feeds/commitments.atom").status_code == 404


def test_board_page_links_to_its_feeds_in_its_language(client, site_tree):
    page = client.get("/en/board-a/").content.decode()
    head = page.split("</head>")[0]
    pk = site_tree.board_a.pk
    assert (
        f'<link rel="alternate" type="application/atom+xml" href="/en/boards/{pk}/feeds/consultations.atom"'
        f' title="Board A: consultations">' in head
    )
    assert f'href="/en/boards/{pk}/feeds/commitments.atom" title="Board A: you said, we did">' in head
    body = page.split("</head>")[1]
    assert f'<a href="/en/boards/{pk}/feeds/consultations.atom" type="application/atom+xml">' in body
    assert f'<a href="/en/boards/{pk}/feeds/commitments.atom" type="application/atom+xml">' in body
    welsh = client.get("/cy/bwrdd-a/").content.decode()
    assert f'href="/cy/boards/{site_tree.board_a_cy.pk}/feeds/consultations.atom"' in welsh.split("</head>")[0]
