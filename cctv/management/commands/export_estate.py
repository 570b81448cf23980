"""manage.py export_estate --user NAME --format csv|geojson|osm [--owner ORG] [--output FILE]."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import AccessEvent
from accounts.services import access_log_record
from cctv.exports import estate_csv, estate_geojson, estate_osm
from cctv.management.commands.import_estate import organisation_id, user_named

EXPORTERS = {"csv": estate_csv, "geojson": estate_geojson, "osm": estate_osm}


class Command(BaseCommand):
    help = "Export the cameras a user may see as CSV, GeoJSON or OpenStreetMap XML (cctv/exports.py)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Export what this user may see.")
        parser.add_argument("--format", choices=EXPORTERS, required=True)
        parser.add_argument("--owner", help="Only this organisation's cameras (name or id).")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, **options):
        user = user_named(options["user"])
        try:
            export = EXPORTERS[options["format"]](user=user, owner_id=organisation_id(options["owner"]))
        except PermissionDenied as exc:
            raise CommandError(getattr(exc, "detail", str(exc))) from None
        access_log_record(event=AccessEvent.DOWNLOADED, user=user, object_label="cctv.camera",
                          object_ref=export.filename, detail=f"estate export (command), {export.count} cameras")
        if options["output"] is None:
            self.stdout.write(export.content.decode("utf-8"), ending="")
            return
        Path(options["output"]).write_bytes(export.content)
        self.stderr.write(f"Wrote {export.count} cameras to {options['output']}.")
