"""`manage.py cyd_worker`: the server's own clock. Every second it opens scheduled rounds and closes (counts,
and publishes when asked) the rounds whose time has come."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connections

from deliberation import scheduler
from notify import services as notify_services

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    """Keep the rounds' schedule until SIGTERM or Ctrl-C; database errors are logged, then retried."""

    help = "Open scheduled rounds and close rounds whose time is up, on time (runs until stopped)."

    def add_arguments(self, parser):
        """--interval: seconds between two looks at the clock."""
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between checks (default 1)")

    def handle(self, *args, interval=1.0, **options):
        """Loop until asked to stop; each pass closes what is due."""
        stop = threading.Event()

        def ask_to_stop(signum, frame):
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, ask_to_stop)
        self.say("Cyd worker: opening and closing rounds on schedule (Ctrl-C to stop).")
        while not stop.is_set():
            self.tick()
            stop.wait(interval)
        connections.close_all()
        self.say("Cyd worker stopped.")

    def tick(self):
        """One pass: open and close what is due; on any failure log it, drop the connections and go on next time."""
        try:
            done = scheduler.tick(grace_seconds=scheduler.WORKER_GRACE_SECONDS)
            notify_services.tick()  # reminders that fall due are queued for the task worker
        except Exception:  # noqa: BLE001 - a database that is down or not migrated yet must not stop the clock
            logger.exception("cyd_worker: the schedule's tick failed; trying again in a moment")
            connections.close_all()
            return
        for round_id in done["opened"]:
            self.say(f"Round {round_id} opened on schedule.")
        for round_id in done["closed"]:
            self.say(f"Round {round_id} closed automatically: its timer ran out.")
        for round_id in done["published"]:
            self.say(f"Round {round_id}'s result published automatically.")

    def say(self, line):
        """Write a line to stdout now (the worker runs beside daphne, often with its output in a log)."""
        self.stdout.write(line)
        self.stdout.flush()
