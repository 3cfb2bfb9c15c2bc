"""The audit log in words: who did what to which item, with the reason, in English and Welsh."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation

from deliberation import exports, services
from deliberation.models import Event
from tests.conftest import rounds_of
from tests.home.conftest import _isolated, _site_tree_keys, board_editors, site_tree  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

# Logged by other slices of the same work (timers, recounts); they must read as words too.
OTHER_TYPES = {
    "round.recounted",
    "round.counted",
    "ballot.paper_voided",
    "proposal.unmerged",
    "session.presenter_key_rotated",
    "round.auto_closed",
}


@pytest.fixture
def story(live, fac_actor, join, proposal_round):
    """A short session: a proposal round with one proposal hidden for personal information, one merged, a flag."""
    r = rounds_of(live)
    _p, alys = join("Alys")
    _p, bryn = join("Bryn")
    titles = ("Bus to town, ring 07700 900123", "Car share", "Car sharing")
    bus, car, dup = proposal_round(titles, [alys, bryn, bryn]).proposals
    services.flag_submit(actor=bryn, session=live, proposal_id=bus.pk, reason="phone number")
    services.proposal_hide(actor=fac_actor, session=live, proposal_id=bus.pk, reason="personal")
    services.proposal_merge(actor=fac_actor, session=live, proposal_id=dup.pk, into_id=car.pk)
    services.round_close(actor=fac_actor, session=live, round_id=r["proposal"].pk)
    return {"bus": bus, "car": car, "dup": dup, "alys": alys, "bryn": bryn}


def words(page):
    """The page's text with tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_facilitator_reads_the_audit_log_in_words(client, live, facilitator, story):
    client.force_login(facilitator)
    text = words(client.get(f"/en/s/{live.code}/log/").content.decode())
    bus, car, dup = story["bus"].pk, story["car"].pk, story["dup"].pk
    alys = story["alys"].participant.pk
    assert f"Participant #{alys} submitted proposal #{bus} “Bus to town, ring 07700 900123”." in text
    assert f"Facilitator fac hid proposal #{bus} “Bus to town, ring 07700 900123”: Personal information" in text
    assert f"Facilitator fac merged proposal #{dup} “Car sharing” into proposal #{car} “Car share”" in text
    assert f"flagged proposal #{bus}" in text and "Reason: phone number" in text
    assert "Facilitator fac opened round" in text and "“Ideas”" in text


def test_facilitator_reads_the_audit_log_in_welsh(client, live, facilitator, story):
    client.force_login(facilitator)
    text = words(client.get(f"/cy/s/{live.code}/log/").content.decode())
    bus = story["bus"].pk
    assert f"Cuddiodd hwylusydd fac gynnig #{bus} “Bus to town, ring 07700 900123”: Gwybodaeth bersonol" in text
    assert "Agorodd hwylusydd fac rownd" in text
    assert "hid proposal" not in text and "opened round" not in text


def test_editor_who_is_not_a_facilitator_never_reads_hidden_text(client, live, story, site_tree, board_editors):  # noqa: F811
    live.consultation = site_tree.consultation_a
    live.save()
    client.force_login(board_editors.a)
    page = client.get(f"/en/s/{live.code}/log/")
    assert page.status_code == 200
    text = words(page.content.decode())
    bus = story["bus"].pk
    assert f"Facilitator fac hid proposal #{bus}: Personal information" in text
    assert f"submitted proposal #{bus}." in text
    exports_text = client.get(f"/en/s/{live.code}/log.json").content.decode()
    exports_text += client.get(f"/en/s/{live.code}/log.csv").content.decode()
    for shown in (text, exports_text):
        assert "07700" not in shown and "Bus to town" not in shown
    assert "Car share" in text  # visible items are still named


def test_audit_exports_keep_the_type_code_payload_and_words(client, live, facilitator, story):
    client.force_login(facilitator)
    data = client.get(f"/en/s/{live.code}/log.json").json()["events"]
    hidden = next(row for row in data if row["type"] == "proposal.hidden")
    assert hidden["payload"]["proposal"]["reason"] == "personal" and "hid proposal" in hidden["description"]
    rows = list(csv.reader(io.StringIO(client.get(f"/en/s/{live.code}/log.csv").content.decode())))
    assert rows[0] == ["seq", "time", "type", "actor", "description", "audience", "payload"]
    assert any(row[2] == "proposal.hidden" and "hid proposal" in row[4] and '"reason": "personal"' in row[6] for row in rows)


def logged_types():
    """Every event type the services (deliberation/services/*.py) log."""
    source = "\n".join(path.read_text() for path in (Path(__file__).parents[2] / "deliberation" / "services").glob("*.py"))
    types = set(re.findall(r'\blog\(\s*session,\s*"([a-z_]+\.[a-z_]+)"', source))
    if "{'hidden' if hide else 'restored'}" in source:
        types |= {f"{kind}.{verb}" for kind in ("proposal", "comment") for verb in ("hidden", "restored")}
    return types


def test_every_logged_event_type_has_words_in_both_languages(live):
    types = logged_types() | OTHER_TYPES
    assert {"round.opened", "proposal.hidden", "ballot.cast"} <= types
    missing = sorted(types - set(exports.EVENT_WORDS))
    assert not missing, missing
    for event_type in sorted(types):
        event = Event(session=live, seq=1, type=event_type, payload={})
        for language in ("en", "cy"):
            with translation.override(language):
                description = exports.describe_event(event, exports.AuditContext.empty())
            assert description and event_type not in description, (event_type, language, description)


def test_unknown_event_type_falls_back_to_its_code(live):
    event = Event(session=live, seq=1, type="thing.happened", payload={"x": 1})
    description = exports.describe_event(event, exports.AuditContext.empty())
    assert "thing.happened" in description and "System" in description
