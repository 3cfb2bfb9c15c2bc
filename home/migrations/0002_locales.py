"""Create the English and Welsh content locales (Wagtail creates only the default one)."""

from django.db import migrations

LANGUAGE_CODES = ["en", "cy"]


def create_locales(apps, schema_editor):
    """Make sure a Locale exists for every content language."""
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in LANGUAGE_CODES:
        Locale.objects.get_or_create(language_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("wagtailcore", "0054_initial_locale"),
    ]

    # Reversing keeps the locales: pages in other apps may still use them.
    operations = [migrations.RunPython(create_locales, migrations.RunPython.noop)]
