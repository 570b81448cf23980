import json

from django.core.management.base import BaseCommand, CommandError

from config.health import health_report


class Command(BaseCommand):
    help = "Report the database, PostGIS, Redis and Celery worker; exit 1 when any is down."

    def add_arguments(self, parser):
        parser.add_argument("--no-worker", action="store_true", help="Skip the Celery worker ping.")

    def handle(self, *args, **options):
        report = health_report(include_worker=not options["no_worker"])
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        if not report.ok:
            raise CommandError("unhealthy: " + "; ".join(report.problems))
