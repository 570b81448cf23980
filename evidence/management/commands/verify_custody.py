"""Operator entry point: recompute custody chains and say which are broken, and where."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from evidence.models import EvidenceRequest
from evidence.verification import ChainReport, chains_verify

# Exit statuses, for cron jobs and scripts: 0 every chain verified, 1 a chain is broken,
# 2 the command was misused (an unknown reference), so nothing was verified.
EXIT_BROKEN = 1
EXIT_USAGE = 2


def report_line(report: ChainReport) -> str:
    if report.ok:
        return f"OK      {report.reference}  {report.events} events  head {report.head}"
    broken = report.first_broken
    return (f"BROKEN  {report.reference}  at event {broken.sequence} (id {broken.event_id}): {broken.reason}"
            f"  [{report.events} events, stored head {report.head}]")


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of custody of every evidence request (or of the references given) and "
        "report each chain as OK with its head hash, or BROKEN at the first event that fails, with the reason. "
        "Exits 1 if any chain is broken, 2 if a reference is unknown. Compare the heads with the daily digest "
        "or a release receipt to catch a chain cut short or rewritten whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("references", nargs="*", metavar="REFERENCE",
                            help="Evidence request references (e.g. ER-2026-00001); default every request.")

    def handle(self, *args, **options):
        requests = None
        if options["references"]:
            wanted = set(options["references"])
            requests = EvidenceRequest.objects.filter(reference__in=wanted)
            unknown = sorted(wanted - set(requests.values_list("reference", flat=True)))
            if unknown:
                raise CommandError(f"No evidence request with reference {', '.join(unknown)}.", returncode=EXIT_USAGE)
        chains = events = broken = 0
        started = time.perf_counter()
        for report in chains_verify(requests):
            chains += 1
            events += report.events
            broken += not report.ok
            self.stdout.write(report_line(report))
        seconds = time.perf_counter() - started
        rate = f"{events / seconds:,.0f}" if seconds > 0 else "n/a"
        self.stdout.write(f"{chains} chain{pluralize(chains)}, {events} event{pluralize(events)}: "
                          f"{chains - broken} OK, {broken} BROKEN in {seconds:.2f} s ({rate} events/second).")
        if broken:
            verb = "is" if broken == 1 else "are"
            raise CommandError(f"{broken} of {chains} custody chain{pluralize(chains)} {verb} broken.",
                               returncode=EXIT_BROKEN)
