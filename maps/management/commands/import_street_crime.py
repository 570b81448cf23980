"""manage.py import_street_crime FILE... [--user NAME]: police street-level crime CSVs into incidents."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import InvalidInput
from accounts.models import User
from maps.imports import may_import_incidents, skipped_counts, skipped_rows, street_crime_import


class Command(BaseCommand):
    help = ("Import police street-level crime CSV files (data.police.uk). Each file replaces the months it holds, "
            "force by force; rows without a location or outside the service area are counted, not imported.")

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--user", help="Record the import as made by this user (a CCTV manager or administrator).")

    def handle(self, *args, **options):
        by = self._user(options["user"])
        failed = []
        for path in options["paths"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file; not imported.")
                failed.append(path)
                continue
            try:
                batch = street_crime_import(path_or_file=path, file_name=path.name, by=by,
                                            progress=self._progress(path) if options["verbosity"] > 1 else None)
            except InvalidInput as exc:
                self.stderr.write(f"{path.name}: not imported. {exc.detail}")
                failed.append(path)
                continue
            self._report(path, batch)
        if failed:
            raise CommandError(f"{len(failed)} of {len(options['paths'])} files not imported.")

    def _user(self, username: str | None) -> User | None:
        if username is None:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}.")
        if not may_import_incidents(user):
            raise CommandError(f"{username} may not import incidents (a CCTV manager or administrator may).")
        return user

    def _progress(self, path: Path):
        def report(done: int, total: int) -> None:
            self.stdout.write(f"  {path.name}: {done:,} of {total:,} rows read")

        return report

    def _report(self, path: Path, batch) -> None:
        counts = skipped_counts(batch)
        rows = skipped_rows(batch)
        self.stdout.write(self.style.SUCCESS(
            f"{path.name}: imported {batch.imported:,}, skipped {sum(counts.values()):,} (import {batch.pk})"))
        for reason, count in counts.items():
            listed = ", ".join(str(row) for row in rows[reason])
            more = ", ..." if count > len(rows[reason]) else ""
            self.stdout.write(f"  {reason}: {count:,} (row{'s' if count > 1 else ''} {listed}{more})")
        units = getattr(batch, "units", [])
        replaced = "; ".join(f"{month:%Y-%m} ({force})" for force, month in units) or "none"
        self.stdout.write(f"  months replaced: {replaced} ({batch.removed:,} earlier incidents removed)")
