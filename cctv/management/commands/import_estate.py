"""manage.py import_estate FILE --user NAME [--owner ORG] [--format csv|geojson] [--dry-run]."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from accounts.models import Organisation, User
from cctv.exceptions import ImportRejected
from cctv.imports import FORMATS, estate_import, import_owner_resolve

WARNINGS_SHOWN = 10


def user_named(username: str) -> User:
    """The person the command acts as: imports and exports are done by someone, never anonymously."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user called {username!r}.")
    return user


def organisation_id(name_or_id: str | None) -> int | None:
    if name_or_id is None:
        return None
    if name_or_id.isdigit():
        return int(name_or_id)
    owner = Organisation.objects.filter(name=name_or_id).first()
    if owner is None:
        raise CommandError(f"No organisation called {name_or_id!r}.")
    return owner.pk


class Command(BaseCommand):
    help = "Import cameras from a CSV or GeoJSON file: every row or none (cctv/imports.py lists the columns)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", required=True, help="Username of the CCTV manager or administrator importing.")
        parser.add_argument("--owner", help="Organisation name or id (default: the user's organisation).")
        parser.add_argument("--format", choices=FORMATS, help="Default: from the file's extension.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args, **options):
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        user = user_named(options["user"])
        try:
            owner = import_owner_resolve(user=user, owner_id=organisation_id(options["owner"]))
            result = estate_import(data=path.read_bytes(), filename=path.name, file_format=options["format"],
                                   owner=owner, by=user, dry_run=options["dry_run"])
        except ImportRejected as exc:
            for error in exc.errors:
                where = f"row {error['row']}" if error["row"] is not None else "file"
                message, name = error["message"], error["field"]
                if name and not message.startswith(name):
                    message = f"{name}: {message}"
                self.stderr.write(f"  {where}: {message}")
            raise CommandError(exc.detail) from None
        except (DomainError, PermissionDenied) as exc:
            raise CommandError(getattr(exc, "detail", str(exc))) from None
        verb = "Checked (dry run, nothing written)" if result.dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {result.filename} into {owner.name}: {len(result.created)} created, "
            f"{len(result.updated)} updated ({len(result.relocated)} relocated), {len(result.unchanged)} unchanged, "
            f"{len(result.warnings)} warnings."
        ))
        for moved in result.relocated:
            self.stdout.write(f"  relocated {moved['asset_ref']} by {moved['moved_m']} m")
        shown = result.warnings if options["verbosity"] > 1 else result.warnings[:WARNINGS_SHOWN]
        for warning in shown:
            self.stdout.write(f"  warning, row {warning['row']}: {warning['field']}: {warning['message']}")
        if len(shown) < len(result.warnings):
            self.stdout.write(f"  ... and {len(result.warnings) - len(shown)} more warnings (-v 2 lists them all).")
