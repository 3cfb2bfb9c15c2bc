"""Issue 12: a board's commitments as CSV and JSON for its annual report, and the sessions people can still come to
(on the board page, with a calendar file, and on a scheduled session's join and waiting pages)."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from deliberation.models import LiveSession
from deliberation.views import _ics_fold, _ics_text
from home.models import Commitment, CommitmentUpdate

from .test_commitments import published_vote  # noqa: F401 - a fixture: the `live` session's published vote

pytestmark = pytest.mark.django_db


def rows_of(response):
    """A CSV download as a list of rows."""
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def session(consultation, code, *, starts_in=timedelta(days=3), **fields):
    """A live session of `consultation` starting `starts_in` from now (None: no start time yet)."""
    starts_at = timezone.now() + starts_in if starts_in is not None else None
    values = {"title": f"Session {code}", "title_cy": f"Sesiwn {code}", "status": "scheduled", "starts_at": starts_at}
    return LiveSession.objects.create(consultation=consultation, code=code, **(values | fields))


def unfolded(text):
    """The content lines of an iCalendar text, unfolded (RFC 5545 3.1)."""
    return text.replace("\r\n ", "").split("\r\n")


# --- the commitments export ------------------------------------------------------------------------------------------


def test_visitor_can_download_a_boards_commitments_as_csv(client, site_tree):
    Commitment.objects.create(
        page=site_tree.consultation_a,
        title="Open the school fields",
        status="not_doing",
        reason="No money for it, this year.",
        sort_order=5,
        updates=[
            CommitmentUpdate(date=datetime(2026, 9, 1).date(), text="Asked the schools."),
            CommitmentUpdate(date=datetime(2026, 11, 3).date(), text="The schools said no."),
        ],
    )
    response = client.get(f"/en/boards/{site_tree.board_a.pk}/commitments.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cyd-board-a-commitments.csv"'
    header, first, second = rows_of(response)
    assert header == [
        "Consultation",
        "Consultation page",
        "Commitment",
        "Proposal it answers",
        "Results of the vote",
        "You said",
        "Responsible partner",
        "Status",
        "Reason",
        "Target date",
        "Date of the latest update",
        "Latest update",
        "Number of updates",
    ]
    row = dict(zip(header, first, strict=True))
    assert row["Consultation"] == "Rural transport"
    assert row["Consultation page"] == "http://localhost/en/board-a/rural-transport/"
    assert row["Commitment"] == "Later clinics."
    assert row["You said"] == "Buses are too early."
    assert row["Responsible partner"] == "Board A Council"
    assert row["Status"] == "In progress"
    assert (row["Date of the latest update"], row["Latest update"], row["Number of updates"]) == (
        "2026-10-12",
        "Two clinics start at 10am.",
        "1",
    )
    row = dict(zip(header, second, strict=True))
    assert (row["Commitment"], row["Status"], row["Reason"], row["Responsible partner"]) == (
        "Open the school fields",
        "Not doing",
        "No money for it, this year.",
        "The board as a whole",
    )
    # The latest update by date, not the last one typed.
    assert (row["Date of the latest update"], row["Latest update"], row["Number of updates"]) == (
        "2026-11-03",
        "The schools said no.",
        "2",
    )
    # Board B's commitments are not in board A's report.
    assert "Loneliness" not in response.content.decode()


def test_csv_export_cannot_smuggle_a_formula_into_a_spreadsheet(client, site_tree):
    Commitment.objects.create(page=site_tree.consultation_a, title='=HYPERLINK("http://evil.example","Click")', sort_order=9)
    Commitment.objects.create(page=site_tree.consultation_a, title="-2+3", reason="@SUM(A1)", sort_order=10)
    rows = rows_of(client.get(f"/en/boards/{site_tree.board_a.pk}/commitments.csv"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","Click")' in cells
    assert "'-2+3" in cells and "'@SUM(A1)" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_visitor_can_download_a_boards_commitments_as_json_with_the_results_they_answer(
    client,
    site_tree,
    published_vote,  # noqa: F811
):
    Commitment.objects.filter(page=site_tree.consultation_a).update(proposal=published_vote.ballot_proposals.get(title="Bus"))
    response = client.get(f"/en/boards/{site_tree.board_a.pk}/commitments.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="cyd-board-a-commitments.json"'
    document = json.loads(response.content)
    assert (document["board"], document["language"]) == ("Board A", "en")
    [item] = document["commitments"]
    assert item["answers_proposal"] == "Bus"
    assert item["results_url"] == f"http://testserver/en/s/{published_vote.session.code}/results/{published_vote.pk}/"
    assert (item["status"], item["status_code"], item["updates"]) == ("In progress", "in_progress", 1)
    assert item["latest_update_date"] == "2026-10-12"


def test_welsh_export_on_cy_is_the_welsh_pages_in_welsh(client, site_tree):
    # The English board's id under /cy/ gives the Welsh translation, as does the Welsh page's own id.
    for board in (site_tree.board_a, site_tree.board_a_cy):
        rows = rows_of(client.get(f"/cy/boards/{board.pk}/commitments.csv"))
        assert rows[0][2] == "Ymrwymiad" and rows[0][6] == "Partner cyfrifol"
        row = rows[1]
        assert row[0] == "Trafnidiaeth wledig"
        assert row[2:7] == ["Clinigau hwyrach.", "", "", "Mae’r bysiau’n rhy gynnar.", "Cyngor Bwrdd A"]
        assert row[7] == "Ar y gweill"
        assert row[11] == "Mae dau glinig yn dechrau am 10am."
    document = json.loads(client.get(f"/cy/boards/{site_tree.board_a.pk}/commitments.json").content)
    assert (document["board"], document["language"]) == ("Bwrdd A", "cy")
    assert document["commitments"][0]["commitment"] == "Clinigau hwyrach."


def test_export_of_an_unknown_board_or_format_is_not_found(client, site_tree):
    assert client.get(f"/en/boards/{site_tree.board_a.pk}/commitments.xlsx").status_code == 404
    assert client.get(f"/en/boards/{site_tree.consultation_a.pk}/commitments.csv").status_code == 404  # not a board
    assert client.get("/en/boards/999999/commitments.csv").status_code == 404
    site_tree.board_a.unpublish()
    assert client.get(f"/en/boards/{site_tree.board_a.pk}/commitments.json").status_code == 404


def test_board_page_links_to_its_commitments_downloads_in_its_language(client, site_tree):
    html = client.get("/en/board-a/").content.decode()
    assert f'href="/en/boards/{site_tree.board_a.pk}/commitments.csv"' in html
    assert f'href="/en/boards/{site_tree.board_a.pk}/commitments.json"' in html
    html = client.get("/cy/bwrdd-a/").content.decode()
    assert f'href="/cy/boards/{site_tree.board_a_cy.pk}/commitments.csv"' in html
    # A board without commitments offers no empty report.
    Commitment.objects.filter(page=site_tree.consultation_b).delete()
    assert "commitments.csv" not in client.get("/en/board-b/").content.decode()


# --- upcoming sessions on the board page -----------------------------------------------------------------------------


def test_board_page_lists_its_upcoming_sessions_and_not_ended_past_or_other_boards_ones(client, site_tree):
    soon = session(site_tree.consultation_a, "KMN346", title="Ruthin, evening", description="Bring ideas.")
    session(site_tree.consultation_a, "ENDED3", status="ended")
    session(site_tree.consultation_a, "PAST34", starts_in=-timedelta(hours=2))  # never started, time gone
    session(site_tree.consultation_b, "OTHER4")
    live_now = session(site_tree.consultation_a, "LIVE34", status="live", starts_in=-timedelta(minutes=20))
    later = session(site_tree.consultation_a, "LATER3", starts_in=timedelta(days=9))
    html = client.get("/en/board-a/").content.decode()
    assert "Coming up: live sessions" in html
    for code in ("ENDED3", "PAST34", "OTHER4"):
        assert code not in html
    # Live now first, then the soonest.
    assert html.index("LIVE34") < html.index("KMN346") < html.index("LATER3")
    assert "Live now" in html
    assert f'href="{soon.get_absolute_url()}"' in html and f'href="/en/s/{later.code}/calendar.ics"' in html
    assert "Ruthin, evening" in html and "Bring ideas." in html
    at = soon.starts_at.astimezone(timezone.get_default_timezone())
    assert f"{at:%H:%M}" in html and f"{at.year}" in html and "UK time" in html
    assert f'href="/en/s/{live_now.code}/"' in html


def test_board_page_lists_upcoming_sessions_in_welsh_on_the_welsh_page(client, site_tree):
    session(site_tree.consultation_a, "KMN346", title="Ruthin", title_cy="Rhuthun", starts_in=timedelta(days=3))
    session(site_tree.consultation_a, "KMN347", title="Only English", title_cy="")
    html = client.get("/cy/bwrdd-a/").content.decode()
    assert '<h3 lang="cy">Rhuthun</h3>' in html
    assert '<h3 lang="en">Only English</h3>' in html  # falls back, marked as English
    assert 'href="/cy/s/KMN346/"' in html and 'href="/cy/s/KMN346/calendar.ics"' in html
    assert "amser y DU" in html  # "UK time"


def test_session_with_no_start_time_shows_time_to_be_announced_not_hidden(client, site_tree):
    session(site_tree.consultation_a, "TBA346", starts_in=None)
    session(site_tree.consultation_a, "LIVE34", starts_in=None, status="live")  # under way: live now, not "to be announced"
    html = client.get("/en/board-a/").content.decode()
    assert "TBA346" in html and "LIVE34" in html
    assert html.count("Time to be announced") == 1 and html.count("Live now") == 1
    assert "/s/TBA346/calendar.ics" not in html  # nothing to put in a calendar yet


def test_board_page_without_upcoming_sessions_has_no_empty_section(client, site_tree):
    session(site_tree.consultation_a, "ENDED3", status="ended")
    assert "Coming up: live sessions" not in client.get("/en/board-a/").content.decode()


# --- the calendar file ----------------------------------------------------------------------------------------------


def test_ics_text_escapes_commas_semicolons_backslashes_and_newlines():
    assert _ics_text("Bws, trên; a’r ŵyl\\ffair\nnewydd\r\nyfory") == "Bws\\, trên\\; a’r ŵyl\\\\ffair\\nnewydd\\nyfory"


def test_ics_fold_keeps_lines_to_75_octets_without_splitting_a_welsh_character():
    line = "SUMMARY:" + "ŵŷ" * 60
    folded = _ics_fold(line)
    parts = folded.encode("utf-8").split(b"\r\n")
    assert len(parts) > 1
    assert all(len(part) <= 75 for part in parts)
    assert all(part.startswith(b" ") for part in parts[1:])
    [part.decode("utf-8") for part in parts]  # each part is whole characters
    assert unfolded(folded) == [line]


def test_visitor_can_download_a_session_as_a_calendar_file(client, site_tree):
    starts = datetime(2031, 3, 4, 18, 30, tzinfo=UTC)
    live = LiveSession.objects.create(
        consultation=site_tree.consultation_a,
        code="CAL346",
        title="Bus, train; and bike",
        title_cy="Bws, trên; a beic ŵyl " + "hir iawn " * 8,
        description="First line,\nsecond line; with a backslash \\",
        starts_at=starts,
    )
    response = client.get("/en/s/CAL346/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cyd-CAL346.ics"'
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    lines = unfolded(raw.decode("utf-8"))
    assert lines[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"] and lines[-2:] == ["END:VCALENDAR", ""]
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1
    fields = dict(line.split(":", 1) for line in lines if line)
    assert fields["UID"] == "cyd-session-CAL346@testserver"
    assert fields["DTSTART"] == "20310304T183000Z"
    assert len(fields["DTSTAMP"]) == 16 and fields["DTSTAMP"].endswith("Z")
    assert fields["SUMMARY;LANGUAGE=en"] == "Bus\\, train\\; and bike"
    assert fields["URL"] == f"http://testserver{live.get_absolute_url()}"
    assert fields["DESCRIPTION"] == (
        "First line\\,\\nsecond line\\; with a backslash \\\\\\n"
        "Join the session: http://testserver/en/s/CAL346/ (join code CAL346)"
    )
    # In Welsh on /cy/: the Welsh title, folded without splitting its characters.
    raw = client.get("/cy/s/CAL346/calendar.ics").content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    fields = dict(line.split(":", 1) for line in unfolded(raw.decode("utf-8")) if line)
    assert fields["SUMMARY;LANGUAGE=cy"] == _ics_text(live.title_cy)
    assert fields["SUMMARY;LANGUAGE=cy"].startswith("Bws\\, trên\\; a beic ŵyl hir iawn")
    assert fields["URL"] == "http://testserver/cy/s/CAL346/"


def test_no_calendar_file_for_an_ended_session_or_one_without_a_start_time(client, site_tree):
    session(site_tree.consultation_a, "ENDED3", status="ended")
    session(site_tree.consultation_a, "TBA346", starts_in=None)
    assert client.get("/en/s/ENDED3/calendar.ics").status_code == 404
    assert client.get("/en/s/TBA346/calendar.ics").status_code == 404
    assert client.get("/en/s/NOPE99/calendar.ics").status_code == 404


# --- the start time on a scheduled session's own pages ---------------------------------------------------------------


def test_join_page_of_a_scheduled_session_offers_the_calendar_file(client, site_tree):
    session(site_tree.consultation_a, "KMN346")
    html = client.get("/en/s/KMN346/").content.decode()
    assert 'href="/en/s/KMN346/calendar.ics"' in html and "Starts:" in html
    LiveSession.objects.filter(code="KMN346").update(status="live")
    assert "calendar.ics" not in client.get("/en/s/KMN346/").content.decode()


def test_waiting_page_of_a_scheduled_session_shows_when_it_starts(client, site_tree):
    live = session(site_tree.consultation_a, "WAIT34", eligibility="admission")
    response = client.post("/en/s/WAIT34/", {"name": "Elen"}, follow=True)
    html = response.content.decode()
    assert "Waiting for the facilitator to let you in" in html
    at = live.starts_at.astimezone(timezone.get_default_timezone())
    assert "Starts:" in html and f"{at:%H:%M}" in html and "UK time" in html
    assert 'href="/en/s/WAIT34/calendar.ics"' in html
