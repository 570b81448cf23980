"""manage.py monthly_report --month YYYY-MM [--format csv|pdf] [--output FILE] [--owner NAME]

Computes the report now (it does not store it: storing is the beat job's and the page's); writes
CSV to stdout or the file, PDF to the file (required: a PDF on a terminal helps nobody).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.choices import OrganisationKind
from accounts.exceptions import InvalidInput
from accounts.models import Organisation
from reports.figures import month_parse, monthly_report_figures
from reports.rendering import figures_csv, report_pdf


class Command(BaseCommand):
    help = "Write one council's monthly CCTV highlight report as CSV or PDF."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--format", choices=("csv", "pdf"), default="csv")
        parser.add_argument("--output", help="file to write (required for pdf)")
        parser.add_argument("--owner", help="council name (needed when there is more than one council)")

    def handle(self, *args, month: str, format: str, output: str | None, owner: str | None, **options):
        try:
            month_on = month_parse(month)
        except InvalidInput as exc:
            raise CommandError(exc.detail) from None
        councils = Organisation.objects.filter(kind=OrganisationKind.COUNCIL)
        if owner:
            councils = councils.filter(name=owner)
        found = list(councils[:2])
        if len(found) != 1:
            names = ", ".join(Organisation.objects.filter(kind=OrganisationKind.COUNCIL).values_list("name", flat=True))
            raise CommandError(f"Name one council with --owner (councils: {names or 'none'}).")
        council = found[0]
        figures = [f.as_dict() for f in monthly_report_figures(owner=council, month=month_on)]
        if format == "csv":
            text = figures_csv(figures)
            if output:
                Path(output).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
            return
        if not output:
            raise CommandError("--output FILE is required with --format pdf.")
        Path(output).write_bytes(report_pdf(owner_name=council.name, month=month_on, figures=figures,
                                            generated_at=timezone.now()))
        self.stderr.write(f"wrote {output}")
