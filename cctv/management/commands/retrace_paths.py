"""Operator entry point: rebuild every camera's stored path to the monitoring centre."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from cctv.services.network import paths_retrace


class Command(BaseCommand):
    help = (
        "Recompute every camera's stored path to its nearest monitoring centre (like NetBox's trace_paths). "
        "Network changes made through the services retrace by themselves; run this after changes made "
        "any other way (the admin site, SQL, a restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", type=int, help="Only this organisation's cameras (its id).")

    def handle(self, *args, **options):
        owner = None
        if options["owner"] is not None:
            owner = Organisation.objects.filter(pk=options["owner"]).first()
            if owner is None:
                raise CommandError(f"No organisation with id {options['owner']}.")
        counts = paths_retrace(owner=owner)
        self.stdout.write(
            f"Retraced {counts.cameras} cameras: {counts.complete} with a path to a monitoring centre, "
            f"{counts.without_path} without ({counts.without_node} not attached to a node); "
            f"{counts.changed} paths changed."
        )
