"""Load the bilingual demo site: pages in English and Welsh, board editor groups and demo users.

Every step finds before it creates and compares before it saves, so running it again changes nothing:
no new pages, revisions, users or groups.
"""

import json
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.fields import StreamField
from wagtail.models import Locale, Page, Site

from home import demo_content as content
from home.models import (
    BoardPage,
    BoardPartner,
    Commitment,
    CommitmentUpdate,
    ConsultationPage,
    HomePage,
    chosen_proposals,
)
from home.permissions import ensure_board_editors_group, ensure_board_facilitators_group

LANGUAGES = ("en", "cy")
# The second board's own editor, so the line between boards can be tried: username: (password, email).
SECOND_EDITOR = {"editor-cwm-taf": ("cyd-editor-cwm-taf-demo", "editor-cwm-taf@cyd.example")}
SECOND_BOARD_SLUG = content.BOARDS[1]["slug"]["en"]


def ensure_locales():
    """Return the English and Welsh locales, creating them if a migration has not."""
    return tuple(Locale.objects.get_or_create(language_code=code)[0] for code in LANGUAGES)


def _json(value):
    """`value` as plain JSON data (dates become ISO strings), with StreamField block ids removed."""
    data = json.loads(json.dumps(value, cls=DjangoJSONEncoder))

    def strip_ids(item):
        if isinstance(item, dict):
            return {key: strip_ids(val) for key, val in item.items() if key != "id"}
        if isinstance(item, list):
            return [strip_ids(val) for val in item]
        return item

    return strip_ids(data)


def _stream_json(field, value):
    """A StreamField value (raw JSON or StreamValue) in a form that compares equal when content is equal."""
    block = field.stream_block
    return _json(block.get_prep_value(block.to_python(value) if isinstance(value, list) else value))


def _apply(page, fields, children):
    """Set `fields` and child objects on `page` where they differ; return True if anything changed."""
    changed = False
    for name, wanted in fields.items():
        field = page._meta.get_field(name)
        if isinstance(field, StreamField):
            differs = _stream_json(field, getattr(page, name)) != _stream_json(field, wanted)
        else:
            differs = getattr(page, name) != wanted
        if differs:
            setattr(page, name, wanted)
            changed = True
    for relation, (model, rows) in children.items():
        if _rows_of(page, relation, rows) != _plain(rows):
            setattr(page, relation, _build(model, rows))
            changed = True
    return changed


def _plain(rows):
    """Child rows with nested children, `{"updates": (Model, rows)}`, as plain lists of dicts for comparing."""
    return [{name: _plain(value[1]) if isinstance(value, tuple) else value for name, value in row.items()} for row in rows]


def _rows_of(obj, relation, rows):
    """The current child rows of `obj.relation`, with the fields (and nested children) that `rows` name."""
    names = list(rows[0]) if rows else []
    # For nested children, the first non-empty list of wanted rows says which of their fields to read.
    nested = {
        name: next((row[name][1] for row in rows if row[name][1]), []) for name in names if isinstance(rows[0][name], tuple)
    }
    return [
        {name: _rows_of(child, name, nested[name]) if name in nested else getattr(child, name) for name in names}
        for child in getattr(obj, relation).all()
    ]


def _build(model, rows):
    """New child objects for `rows`, nested children included."""
    return [model(**{name: _build(*value) if isinstance(value, tuple) else value for name, value in row.items()}) for row in rows]


def _publish_if_changed(page, fields, children=None):
    """Apply the wanted content to a page and publish a new revision only if something changed."""
    if _apply(page, fields, children or {}) or not page.live or page.latest_revision_id is None:
        page.save_revision().publish()
        page = type(page).objects.get(pk=page.pk)
    return page


def _find_or_add_child(parent, model, slug, fields, children=None):
    """The child page of `parent` with `slug`, created (and published) or brought up to date."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(**{**fields, "slug": slug})
        parent.add_child(instance=page)
    return _publish_if_changed(page, fields, children)


def _translate(page, locale, fields, children=None):
    """The translation of `page` into `locale`, copied with Wagtail's own tool, then given its own words."""
    translation = page.get_translation_or_none(locale)
    if translation is None:
        translation = page.copy_for_translation(locale)
    return _publish_if_changed(translation.specific, fields, children)


def _date(iso):
    """A date from an ISO string."""
    return date.fromisoformat(iso)


def _document(title, text, filename):
    """The demo document with `title`, created as a small text file the first time."""
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        data = text.encode("utf-8")
        document = Document(title=title, file_size=len(data))
        document.file.save(filename, ContentFile(data), save=False)
        document.save()
    return document


def ensure_home(en, cy):
    """The English home page as the default Site's root, and its Welsh translation."""
    home = HomePage.objects.filter(depth=2, locale=en).first()
    if home is None:
        # Wagtail's installer leaves a plain "Welcome" page at /home/; make way for the real one.
        plain = ContentType.objects.get_for_model(Page)
        Page.objects.filter(depth=2, slug="home", content_type=plain, numchild=0).delete()
        home = HomePage(slug="home", title=content.HOME["en"]["title"], locale=en)
        Page.get_first_root_node().add_child(instance=home)
    home = _publish_if_changed(home, content.HOME["en"])

    # The site's address is where the demo is served, so full URLs printed or mailed are right.
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    wanted = {
        "hostname": base.hostname or "localhost",
        "port": base.port or (443 if base.scheme == "https" else 80),
        "root_page_id": home.id,
        "site_name": "Cyd",
    }
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    if site.pk is None or any(getattr(site, name) != value for name, value in wanted.items()):
        for name, value in wanted.items():
            setattr(site, name, value)
        site.save()

    home_cy = _translate(home, cy, content.HOME["cy"])
    # Wagtail caches each language's site root; a new Welsh home must be seen at once.
    Site.clear_site_root_paths_cache()
    return home, home_cy


def _board_fields(board, code):
    """The page fields and partner rows of a board in one language."""
    fields = {"slug": board["slug"][code], **board[code]}
    index = 0 if code == "en" else 1
    partners = [{"name": partner[index], "role": partner[2][code], "link": partner[3]} for partner in board["partners"]]
    return fields, {"partners": (BoardPartner, partners)}


def _consultation_fields(consultation, code, document, board):
    """The page fields and "You said, we did" commitments (with their progress updates) of a consultation in one
    language; each commitment's partner is the board page's partner of that name."""
    words = consultation[code]
    fields = {
        "slug": consultation["slug"][code],
        "title": words["title"],
        "question": words["question"],
        "intro": words["intro"],
        "stage": consultation["stage"],
        "opens": _date(consultation["opens"]),
        "closes": _date(consultation["closes"]),
        "decision_due": _date(consultation["decision_due"]),
        "background": words["background"],
        "who_is_involved": words["who_is_involved"],
        "documents": [{"type": "document", "value": {"document": document.pk, "description": ""}}],
    }
    partners = {partner.name: partner for partner in board.partners.all()}
    # The proposal a commitment answers is linked once the demo sessions have published their votes
    # (`link_demo_commitments`); until then, and on every later run, it keeps what the page has.
    page = ConsultationPage.objects.child_of(board).filter(slug=fields["slug"]).first()
    linked = {c.title: c.proposal for c in page.commitments.select_related("proposal")} if page else {}
    commitments = [
        {
            "title": c["title"],
            "you_said": c["you_said"],
            "proposal": linked.get(c["title"]),
            "partner": partners[c["partner"]] if c["partner"] else None,
            "status": c["status"],
            "reason": c["reason"],
            "target_date": _date(c["target_date"]) if c["target_date"] else None,
            "updates": (CommitmentUpdate, [{"date": _date(u["date"]), "text": u["text"]} for u in c["updates"]]),
        }
        for c in words["commitments"]
    ]
    return fields, {"commitments": (Commitment, commitments)}


def link_demo_commitments(consultation):
    """Link the demo commitments that answer a proposal (`"answers"` in the demo content) to it, in every language,
    once the demo sessions have chosen it in a published vote; call after `load_demo_sessions`. Idempotent."""
    spec = next((b["consultation"] for b in content.BOARDS if b["consultation"]["slug"]["en"] == consultation.slug), None)
    chosen = {proposal.title: proposal for proposal in chosen_proposals(consultation)}
    if spec is None or not chosen:
        return
    for page in [consultation, *consultation.get_translations().specific()]:
        answers = {c["title"]: chosen.get(c.get("answers")) for c in spec[page.locale.language_code]["commitments"]}
        rows = [
            {
                "title": c.title,
                "you_said": c.you_said,
                "proposal": answers.get(c.title) or c.proposal,
                "partner": c.partner,
                "status": c.status,
                "reason": c.reason,
                "target_date": c.target_date,
                "updates": (CommitmentUpdate, [{"date": u.date, "text": u.text} for u in c.updates.all()]),
            }
            for c in page.commitments.all()
        ]
        _publish_if_changed(page, {}, {"commitments": (Commitment, rows)})


def ensure_boards(home, en, cy):
    """Every demo board and its consultation, in English and in Welsh; return {slug: (board, consultation)}."""
    result = {}
    for board in content.BOARDS:
        fields, children = _board_fields(board, "en")
        board_en = _find_or_add_child(home, BoardPage, board["slug"]["en"], fields, children)
        boards = {"en": board_en, "cy": _translate(board_en, cy, *_board_fields(board, "cy"))}

        consultation = board["consultation"]
        pages = {}
        for code in LANGUAGES:
            title, text = consultation[code]["document"]
            document = _document(title, text, f"{consultation['slug'][code]}.txt")
            fields, children = _consultation_fields(consultation, code, document, boards[code])
            if code == "en":
                pages[code] = _find_or_add_child(board_en, ConsultationPage, fields["slug"], fields, children)
            else:
                pages[code] = _translate(pages["en"], cy, fields, children)
        result[board["slug"]["en"]] = (board_en, pages["en"])
    return result


def _ensure_user(username, password, email, is_staff, is_superuser):
    """The demo user `username`, created or brought back to these details."""
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    wanted = {"email": email, "is_staff": is_staff, "is_superuser": is_superuser, "is_active": True}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if created or not user.check_password(password):
        user.set_password(password)
        changed.append("password")
    if changed:
        user.save()
    return user


def _ensure_groups(user, groups):
    """Put `user` in exactly these groups."""
    if set(user.groups.all()) != set(groups):
        user.groups.set(groups)


def ensure_users(editor_group, *, second_editor_group=None, facilitators_group=None):
    """The demo users: `admin` (superuser), `editor` (one board's editor), `facilitator` (staff, in that board's
    facilitators group) and, given the second board's editors group, that board's own editor."""
    users = {
        username: _ensure_user(username, password, email, is_staff, is_superuser)
        for username, (password, email, is_staff, is_superuser) in content.USERS.items()
    }
    _ensure_groups(users["editor"], [editor_group])
    if facilitators_group is not None:
        _ensure_groups(users["facilitator"], [facilitators_group])
    if second_editor_group is not None:
        for username, (password, email) in SECOND_EDITOR.items():
            users[username] = _ensure_user(username, password, email, False, False)
            _ensure_groups(users[username], [second_editor_group])
    return users


def load_demo(*, show_credentials=None):
    """Create or update the whole demo; return the lines to print (credentials only when DEBUG)."""
    show_credentials = settings.DEBUG if show_credentials is None else show_credentials
    with transaction.atomic():
        en, cy = ensure_locales()
        home, _home_cy = ensure_home(en, cy)
        boards = ensure_boards(home, en, cy)
        groups = {slug: ensure_board_editors_group(board) for slug, (board, _c) in boards.items()}
        users = ensure_users(
            groups[content.EDITOR_BOARD_SLUG],
            second_editor_group=groups.get(SECOND_BOARD_SLUG),
            facilitators_group=ensure_board_facilitators_group(boards[content.EDITOR_BOARD_SLUG][0]),
        )

    lines = [
        f"Demo content: {len(boards)} boards, each with a consultation, in English and Welsh.",
    ]
    # Sessions are owned by the live module, which keeps its own loader idempotent.
    from deliberation.demo import load_demo_sessions

    lines += load_demo_sessions(consultation=boards[content.EDITOR_BOARD_SLUG][1], facilitator=users["facilitator"])
    from deliberation.demo import load_upcoming_sessions

    # A session still to come on two boards, so their pages show what people can come to.
    lines += load_upcoming_sessions(
        [(boards[content.EDITOR_BOARD_SLUG][1], users["facilitator"]), (boards[SECOND_BOARD_SLUG][1], None)]
    )
    link_demo_commitments(boards[content.EDITOR_BOARD_SLUG][1])
    if show_credentials:
        base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        lines += [
            f"Public site: {base}/en/ (English) and {base}/cy/ (Cymraeg)",
            f"Wagtail admin: {base}/admin/",
        ]
        for username, (password, *_rest) in content.USERS.items():
            lines.append(f"  {username} / {password}")
        second_board = boards[SECOND_BOARD_SLUG][0].title if SECOND_BOARD_SLUG in boards else ""
        for username, (password, _email) in SECOND_EDITOR.items():
            lines.append(f"  {username} / {password}  ({second_board} editor: sessions of that board only)")
    return lines
