"""`manage.py recount ROUND_ID [--method M] [--seats N] [--json]`: count a closed vote round again and print it.

Read-only: the stored result stays as it is (a facilitator's recount in the console, round.recount, replaces it).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from deliberation import counting, results
from deliberation.models import Round
from deliberation.tally import Result
from deliberation.tally.report import render


class Command(BaseCommand):
    """Count a closed or published vote round's valid ballots as round.recount would, and print the count."""

    help = (
        "Count a closed or published vote round's valid ballots again, optionally with another method or number of "
        "winners, and print every stage (or the result as JSON). Nothing is saved."
    )

    def add_arguments(self, parser):
        """The round, and the method and number of winners to count with (default: the round's own)."""
        parser.add_argument("round_id", type=int, help="the vote round's id")
        parser.add_argument("--method", choices=Round.Method.values, help="count with this method instead")
        parser.add_argument("--seats", type=int, help="count for this many winners instead")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print the result as the round would store it")

    def handle(self, *args, round_id, method=None, seats=None, as_json=False, **options):
        """Check the round can be counted with these settings, count it, print it."""
        round_ = Round.objects.select_related("session").filter(pk=round_id, kind=Round.Kind.VOTE).first()
        if round_ is None:
            raise CommandError(f"No vote round has the id {round_id}.")
        if round_.state not in (Round.State.CLOSED, Round.State.PUBLISHED):
            raise CommandError(f"Round {round_id} is {round_.state}: only a closed or published round is counted.")
        method, seats = method or round_.method, seats if seats is not None else round_.seats
        problem = counting.seats_problem(method, seats, round_.ballot_proposals.count())
        if problem:
            raise CommandError(str(problem))
        result = counting.count_round(round_, method=method, seats=seats)
        if as_json:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        elif result["outcome"] == "elected":
            self.stdout.write(render(Result.from_dict(result)), ending="")
        else:
            self.stdout.write(f"{results.no_result(result)} ({result['detail']})")
