"""Turn every "You said, we did" update into a commitment with one dated progress update, in the rows and in the
page revisions (the editor opens the latest revision: without it the next publish would drop the commitments).

An update's free-text partner becomes the board's partner of that name when there is one; otherwise it is kept
at the end of the progress update's text. The status is "in progress": the board published what it did or decided,
and the editor can say whether it is done.
"""

from django.db import migrations

TITLE_MAX = 255
STEPLEN = 4  # Wagtail's page tree: each level adds four characters to the path


def _title(text):
    """The commitment's title: what the board did, cut to the field's length."""
    text = " ".join(text.split())
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def _update_text(we_did, partner_name, partner):
    """The progress update's words: what the board did, and the partner's name when no partner row matched it."""
    return we_did if partner or not partner_name else f"{we_did} ({partner_name})"


def forwards(apps, schema_editor):
    """Copy each OutcomeUpdate into a Commitment and a CommitmentUpdate, then rewrite the revisions to match."""
    ConsultationPage = apps.get_model("home", "ConsultationPage")
    OutcomeUpdate = apps.get_model("home", "OutcomeUpdate")
    Commitment = apps.get_model("home", "Commitment")
    CommitmentUpdate = apps.get_model("home", "CommitmentUpdate")
    BoardPartner = apps.get_model("home", "BoardPartner")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")

    made = {}  # OutcomeUpdate pk -> (Commitment pk, CommitmentUpdate pk)
    boards = {}
    for update in OutcomeUpdate.objects.order_by("page_id", "sort_order", "pk"):
        page = ConsultationPage.objects.get(pk=update.page_id)
        board_path = page.path[:-STEPLEN]
        partners = boards.setdefault(page.pk, list(BoardPartner.objects.filter(page__path=board_path)))
        name = update.partner.strip()
        partner = next((p for p in partners if name and p.name.strip().lower() == name.lower()), None)
        commitment = Commitment.objects.create(
            page_id=page.pk,
            sort_order=update.sort_order,
            title=_title(update.we_did),
            you_said=update.you_said,
            partner=partner,
            status="in_progress",
        )
        progress = CommitmentUpdate.objects.create(
            commitment=commitment, sort_order=0, date=update.date, text=_update_text(update.we_did, name, partner)
        )
        made[update.pk] = (commitment.pk, progress.pk, partner.pk if partner else None)

    content_type = ContentType.objects.filter(app_label="home", model="consultationpage").first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(content_type=content_type).iterator():
        content = revision.content or {}
        if "outcome_updates" not in content:
            continue
        commitments = []
        for row in content.pop("outcome_updates") or []:
            ids = made.get(row.get("pk"))
            partner_name = (row.get("partner") or "").strip()
            partner_id = ids[2] if ids else None
            we_did = row.get("we_did") or ""
            commitments.append(
                {
                    "pk": ids[0] if ids else None,
                    "page": row.get("page"),
                    "sort_order": row.get("sort_order"),
                    "title": _title(we_did),
                    "you_said": row.get("you_said") or "",
                    "proposal": None,
                    "partner": partner_id,
                    "status": "in_progress",
                    "reason": "",
                    "target_date": None,
                    "updates": [
                        {
                            "pk": ids[1] if ids else None,
                            "commitment": ids[0] if ids else None,
                            "sort_order": 0,
                            "date": row.get("date"),
                            "text": _update_text(we_did, partner_name, partner_id),
                        }
                    ],
                }
            )
        content["commitments"] = commitments
        revision.content = content
        revision.save(update_fields=["content"])


def backwards(apps, schema_editor):
    """Turn commitments back into "You said, we did" updates (dated by their first progress update)."""
    OutcomeUpdate = apps.get_model("home", "OutcomeUpdate")
    Commitment = apps.get_model("home", "Commitment")
    for commitment in Commitment.objects.order_by("page_id", "sort_order", "pk"):
        first = commitment.updates.order_by("sort_order", "pk").first()
        if first is None:
            continue  # an update needs a date
        OutcomeUpdate.objects.create(
            page_id=commitment.page_id,
            sort_order=commitment.sort_order,
            date=first.date,
            you_said=commitment.you_said or commitment.title,
            we_did=first.text,
            partner=commitment.partner.name if commitment.partner_id else "",
        )
    Commitment.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_commitments"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
