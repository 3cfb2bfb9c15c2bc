"""`manage.py cyd_worker`: the server's own clock. Every second it closes the rounds whose timer has run out."""

import logging
import signal
import threading

from django.core.management.base import BaseCommand
from django.db import connections

from deliberation import scheduler

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    """Close (and count) auto-closing rounds on time until SIGTERM or Ctrl-C; database errors are logged, then retried."""

    help = "Close rounds set to close automatically when their timer runs out (runs until stopped)."

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
        self.say("Cyd worker: closing rounds when their timer runs out (Ctrl-C to stop).")
        while not stop.is_set():
            self.tick()
            stop.wait(interval)
        connections.close_all()
        self.say("Cyd worker stopped.")

    def tick(self):
        """One pass: close what is due; on any failure log it, drop the connections and go on next time."""
        try:
            for round_id in scheduler.close_due_rounds(grace_seconds=scheduler.WORKER_GRACE_SECONDS):
                self.say(f"Round {round_id} closed automatically: its timer ran out.")
        except Exception:  # noqa: BLE001 - a database that is down or not migrated yet must not stop the clock
            logger.exception("cyd_worker: closing due rounds failed; trying again in a moment")
            connections.close_all()

    def say(self, line):
        """Write a line to stdout now (the worker runs beside daphne, often with its output in a log)."""
        self.stdout.write(line)
        self.stdout.flush()
