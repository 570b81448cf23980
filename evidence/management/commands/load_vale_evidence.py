from django.core.management.base import BaseCommand

from evidence.demo import vale_demo_evidence_load


class Command(BaseCommand):
    help = "Load demo evidence requests in every workflow state (needs load_vale_demo first). Idempotent."

    def handle(self, *args, **options):
        summary = vale_demo_evidence_load()
        self.stdout.write("Vale demo evidence:")
        for line in summary.lines():
            self.stdout.write(line)
