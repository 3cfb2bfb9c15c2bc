"""Keep permissions and URL routing right when editors translate pages in the admin."""

from django.dispatch import receiver
from wagtail.models import Site
from wagtail.signals import copy_for_translation_done

from home.permissions import copy_page_permissions_to_translation


@receiver(copy_for_translation_done)
def on_copy_for_translation(sender, source_obj, target_obj, **kwargs):
    """Carry page permissions over to the new translation; refresh site roots for a new home page."""
    if not hasattr(source_obj, "get_parent"):
        return  # a translated snippet, not a page
    copy_page_permissions_to_translation(source_obj, target_obj)
    if target_obj.depth == 2:
        # A translated home page is a new site root for its language; Wagtail caches the roots
        # for an hour and only clears them when a Site changes.
        Site.clear_site_root_paths_cache()
