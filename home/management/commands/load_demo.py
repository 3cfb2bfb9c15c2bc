"""`manage.py load_demo`: create or update the bilingual demo site (safe to run again)."""

from django.core.management.base import BaseCommand

from home.demo import load_demo


class Command(BaseCommand):
    """Load the demo boards, consultations, editor groups and users; print where to go."""

    help = "Create or update the demo site in English and Welsh. Running it again changes nothing."

    def handle(self, *args, **options):
        """Run the loader and print its report."""
        for line in load_demo():
            self.stdout.write(line)
