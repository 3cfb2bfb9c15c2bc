"""`manage.py cards CODE --count N --as USERNAME [--csv FILE]`: make voting cards for boards that post or e-mail them."""

import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from deliberation import exports, rules, services
from deliberation.errors import ServiceError
from deliberation.models import LiveSession


class Command(BaseCommand):
    """Generate cards as a facilitator or editor of the session, and write them as CSV (number, code, join link)."""

    help = (
        "Make N new single-use voting cards for a session, acting as one of its facilitators or the consultation's "
        "editors, and write number, code and join link as CSV (for a mail merge). --count 0 writes the existing cards."
    )

    def add_arguments(self, parser):
        """The session code, how many cards, who acts, where the CSV goes and the site address in the links."""
        parser.add_argument("code", help="the session's join code, e.g. K7MP4Q")
        parser.add_argument("--count", type=int, required=True, help="how many new cards (1 to 1000; 0: none, list all)")
        parser.add_argument("--as", dest="username", required=True, help="username of a facilitator or editor")
        parser.add_argument("--csv", dest="path", help="write the CSV to this file (default: standard output)")
        parser.add_argument(
            "--base-url",
            default=settings.WAGTAILADMIN_BASE_URL,
            help="the site's public address for the links (default: WAGTAILADMIN_BASE_URL)",
        )

    def handle(self, *args, code, count, username, path=None, base_url="", **options):
        """Check who acts, make the cards through the service, write the CSV."""
        session = LiveSession.objects.filter(code=code.strip().upper()).first()
        if session is None:
            raise CommandError(f"No session has the code {code!r}.")
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: username}, is_active=True).first()
        if user is None:
            raise CommandError(f"No user {username!r} (or the account is not active).")
        actor = rules.Actor(user=user)
        if not rules.can(actor, rules.MANAGE_ELIGIBILITY, session):
            raise CommandError(
                f"{username} is not allowed to make cards for {session.code}: only its facilitators "
                "and the editors of its consultation are."
            )
        if count:
            try:
                cards = services.cards_generate(actor=actor, session=session, count=count)
            except ServiceError as error:
                raise CommandError(str(error.message)) from error
        else:
            cards = list(session.cards.order_by("number"))
        join_url = f"{base_url.rstrip('/')}/s/{session.code}/"
        out = open(path, "w", newline="", encoding="utf-8") if path else self.stdout
        try:
            writer = exports.csv_writer(out)
            writer.writerow(["number", "code", "join link"])
            for card in cards:
                writer.writerow([card.number, card.code, f"{join_url}?card={card.code}"])
        finally:
            if path:
                out.close()
        numbers = f" (numbers {cards[0].number} to {cards[-1].number})" if cards else ""
        done = f"{'Made' if count else 'Listed'} {len(cards)} cards{numbers} for {session.code}"
        done += f"; CSV written to {path}." if path else "."
        (self.stdout if path else sys.stderr).write(done + "\n")
        if session.eligibility != LiveSession.Eligibility.CARDS:
            sys.stderr.write(f"Note: {session.code} is not in voting cards mode yet; cards admit no one until it is.\n")
