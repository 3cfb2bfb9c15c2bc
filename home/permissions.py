"""Per-board groups: editors of one board edit that board's pages and live sessions, in both languages, and no others;
its facilitators are the people its sessions' facilitators are chosen from."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale

# Page permissions on the board page; Wagtail applies them to the page and everything below it.
BOARD_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
# Site-wide permissions every board editor needs: into the admin, and "Translate" for Welsh copies.
GLOBAL_PERMISSIONS = (("wagtailadmin", "access_admin"), ("simple_translation", "submit_translation"))
# Live sessions in the admin: the model permissions let editors in; deliberation/rules.py scopes them to their
# board's consultations (the policy in deliberation/wagtail_hooks.py). No delete: a session's record stays.
SESSION_PERMISSIONS = (
    ("deliberation", "add_livesession"),
    ("deliberation", "change_livesession"),
    ("deliberation", "view_livesession"),
)
# Upload and choose images and documents; "add" also lets them edit only what they uploaded.
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)


def _permission(app_label, codename):
    """The Permission row for `app_label.codename`."""
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def board_editors_group_name(board_page):
    """The group's name, from the board's title in the default language so both languages share it."""
    source = board_page.get_translation_or_none(Locale.get_default()) or board_page
    return f"{source.title} editors"


def board_facilitators_group_name(board_page):
    """The board's facilitators group's name (from the default-language title, like the editors group's)."""
    source = board_page.get_translation_or_none(Locale.get_default()) or board_page
    return f"{source.title} facilitators"


def ensure_board_facilitators_group(board_page) -> Group:
    """Find or create the facilitators group of a board: the people its sessions' facilitators are chosen from."""
    return Group.objects.get_or_create(name=board_facilitators_group_name(board_page))[0]


def grant_board_page_permissions(group, page):
    """Give `group` the board editor permissions on `page` (a board page or one of its translations)."""
    for codename in BOARD_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_permission("wagtailcore", codename))


def ensure_board_editors_group(board_page) -> Group:
    """Find or create the editors group of a board, with permissions on the board and its translations.

    The board's facilitators group is made alongside it.
    """
    group, _created = Group.objects.get_or_create(name=board_editors_group_name(board_page))
    group.permissions.add(*(_permission(app, codename) for app, codename in GLOBAL_PERMISSIONS + SESSION_PERMISSIONS))
    ensure_board_facilitators_group(board_page)
    root_collection = Collection.get_first_root_node()
    for app_label, codename in COLLECTION_PERMISSIONS:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root_collection, permission=_permission(app_label, codename)
        )
    for page in board_page.get_translations(inclusive=True):
        grant_board_page_permissions(group, page)
    return group


def copy_page_permissions_to_translation(source_page, translated_page):
    """Give every group with page permissions on `source_page` the same on its new translation.

    An editor who translates their board page into Welsh must be able to edit the Welsh copy
    and add Welsh consultations under it, without an administrator stepping in.
    """
    for permission in GroupPagePermission.objects.filter(page=source_page):
        GroupPagePermission.objects.get_or_create(
            group_id=permission.group_id, page=translated_page, permission_id=permission.permission_id
        )
