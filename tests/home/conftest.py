"""Fixtures for the Wagtail pages: a small bilingual site tree, board editors and the demo site."""

from contextlib import contextmanager
from datetime import date
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from wagtail.models import Page, Site

from home.demo import ensure_locales, load_demo
from home.models import BoardPage, BoardPartner, Commitment, CommitmentUpdate, ConsultationPage, HomePage, Stage
from home.permissions import ensure_board_editors_group

PASSWORD = "a-test-password-1"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Keep uploaded files out of the project and forget Wagtail's cached site roots between tests."""
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def add_page(parent, page):
    """Add `page` under `parent` and publish it."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def translate(page, locale, children=None, **fields):
    """Copy `page` into `locale` with Wagtail's own tool, set its words, publish it."""
    translation = page.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    for relation, objects in (children or {}).items():
        setattr(translation, relation, objects)
    translation.save_revision().publish()
    return type(translation).objects.get(pk=translation.pk)


def make_home(en, cy):
    """An English home page as the default site's root, and its Welsh translation."""
    plain = ContentType.objects.get_for_model(Page)
    Page.objects.filter(depth=2, content_type=plain).delete()  # Wagtail's "Welcome" page and its Site
    home = add_page(Page.get_first_root_node(), HomePage(title="Welcome to Cyd", slug="home", intro="What Cyd is for."))
    Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    home_cy = translate(home, cy, title="Croeso i Cyd", intro="Beth yw pwrpas Cyd.")
    Site.clear_site_root_paths_cache()
    return home, home_cy


def make_board(home, cy, *, title, slug, title_cy, slug_cy):
    """A board page with one partner, and its Welsh translation."""
    board = BoardPage(
        title=title,
        slug=slug,
        area=f"{title} area",
        intro=f"The {title} board.",
        contact_email=f"{slug}@cyd.example",
        partners=[BoardPartner(name=f"{title} Council", role="Statutory member", link="https://example.org")],
    )
    board = add_page(home, board)
    board_cy = translate(
        board,
        cy,
        title=title_cy,
        slug=slug_cy,
        area=f"Ardal {title_cy}",
        intro=f"Bwrdd {title_cy}.",
        children={"partners": [BoardPartner(name=f"Cyngor {title_cy}", role="Aelod statudol")]},
    )
    return board, board_cy


def make_consultation(board, *, title, slug, question, stage=Stage.OPEN, **fields):
    """A consultation page under `board` with one "You said, we did" commitment (by the board's first partner)."""
    consultation = ConsultationPage(
        title=title,
        slug=slug,
        question=question,
        stage=stage,
        opens=date(2026, 11, 2),
        closes=date(2027, 1, 29),
        decision_due=date(2027, 4, 30),
        commitments=[
            Commitment(
                title="Later clinics.",
                you_said="Buses are too early.",
                partner=board.partners.first(),
                status="in_progress",
                updates=[CommitmentUpdate(date=date(2026, 10, 12), text="Two clinics start at 10am.")],
            )
        ],
        **fields,
    )
    return add_page(board, consultation)


def build_site_tree():
    """Home, two boards (A and B) and a consultation each, all in English and Welsh."""
    en, cy = ensure_locales()
    home, home_cy = make_home(en, cy)
    board_a, board_a_cy = make_board(home, cy, title="Board A", slug="board-a", title_cy="Bwrdd A", slug_cy="bwrdd-a")
    board_b, board_b_cy = make_board(home, cy, title="Board B", slug="board-b", title_cy="Bwrdd B", slug_cy="bwrdd-b")
    consultation_a = make_consultation(
        board_a,
        title="Rural transport",
        slug="rural-transport",
        question="How should people reach the surgery without a bus?",
    )
    consultation_a_cy = translate(
        consultation_a,
        cy,
        title="Trafnidiaeth wledig",
        slug="trafnidiaeth-wledig",
        question="Sut dylai pobl gyrraedd y feddygfa heb fws?",
        children={
            "commitments": [
                Commitment(
                    title="Clinigau hwyrach.",
                    you_said="Mae’r bysiau’n rhy gynnar.",
                    partner=board_a_cy.partners.first(),
                    status="in_progress",
                    updates=[CommitmentUpdate(date=date(2026, 10, 12), text="Mae dau glinig yn dechrau am 10am.")],
                )
            ]
        },
    )
    consultation_b = make_consultation(
        board_b,
        title="Loneliness",
        slug="loneliness",
        question="What would help neighbours meet?",
        stage=Stage.DECIDING,
    )
    consultation_b_cy = translate(
        consultation_b,
        cy,
        title="Unigrwydd",
        slug="unigrwydd",
        question="Beth fyddai’n helpu cymdogion i gwrdd?",
    )
    return {name: value for name, value in locals().items()}


@contextmanager
def module_data(django_db_blocker, build):
    """Build data once for a test module, inside a transaction rolled back when the module ends.

    Each test still runs in its own savepoint (pytest-django's `db`), so tests cannot see each
    other's changes; building a bilingual Wagtail tree once instead of per test saves most of the time.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield {name: (type(obj), obj.pk) for name, obj in build().items()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            cache.clear()


def fresh(keys):
    """New instances of the module's objects, so one test's in-memory edits never reach another."""
    return SimpleNamespace(**{name: model.objects.get(pk=pk) for name, (model, pk) in keys.items()})


@pytest.fixture(scope="module")
def _site_tree_keys(django_db_setup, django_db_blocker):
    with module_data(django_db_blocker, build_site_tree) as keys:
        yield keys


@pytest.fixture
def site_tree(_site_tree_keys, db):
    """The bilingual test site: home, board A and B, a consultation each (see `build_site_tree`)."""
    return fresh(_site_tree_keys)


@pytest.fixture
def board_editors(site_tree):
    """An editor of board A and an editor of board B, each in their board's editors group only."""
    User = get_user_model()
    editors = {}
    for key, board in (("a", site_tree.board_a), ("b", site_tree.board_b)):
        user = User.objects.create_user(f"editor-{key}", password=PASSWORD)
        user.groups.add(ensure_board_editors_group(board))
        editors[key] = user
    return SimpleNamespace(**editors)


def build_demo():
    """The full demo site, as `manage.py load_demo` makes it (without printing credentials)."""
    load_demo(show_credentials=False)
    return {"home": HomePage.objects.get(depth=2, locale__language_code="en")}


@pytest.fixture(scope="module")
def _demo_keys(django_db_setup, django_db_blocker, tmp_path_factory):
    # Module-scoped, so the demo's documents go to a module-wide temporary MEDIA_ROOT.
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")):
        with module_data(django_db_blocker, build_demo) as keys:
            yield keys


@pytest.fixture
def demo(_demo_keys, db):
    """The demo site (`home`: the English home page); loaded once per test module."""
    return fresh(_demo_keys)
