"""manage.py load_vale_incidents [--seed N] [--today YYYY-MM-DD]: the Vale demo incidents (maps/demo.py)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from maps.demo import vale_demo_incidents_load


class Command(BaseCommand):
    help = ("Load the Vale demo incidents: the real Vale of Glamorgan rows of the police open data for January 2024 "
            "and 12 generated months around the same places (summer peak at the coastal resorts), marked generated. "
            "Deterministic and idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed of the generated months.")
        parser.add_argument("--today", help="Generate the 12 months before this date (YYYY-MM-DD; default: today).")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today {options['today']!r} is not a date like 2026-03-16.") from None
        summary = vale_demo_incidents_load(seed=options["seed"], today=today)
        self.stdout.write("Vale demo incidents:")
        for line in summary.lines():
            self.stdout.write(line)
