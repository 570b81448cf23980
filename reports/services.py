"""Generating, storing, regenerating and emailing monthly reports (DESIGN.md 2E, issue 7).

A stored report is the record of what was published: its PDF is served unchanged (the sha256 is
kept to show it) until someone allowed to regenerate does so, which recomputes it, replaces the
file and counts the regeneration. The emailing is claimed with a conditional update of
`emailed_at`, so two workers (or a redelivered task) send it once.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from accounts.permissions import authorize
from cctv.sla import BANK_HOLIDAYS_ENGLAND_AND_WALES, WORKING_WEEKDAYS
from reports.figures import monthly_report_figures
from reports.models import MonthlyReport
from reports.rendering import report_pdf


def _first_of(month: dt.date) -> dt.date:
    if month.day != 1:
        raise InvalidInput(f"month must be the first day of a month, not {month.isoformat()}.")
    return month


def _fill(report: MonthlyReport, *, by: User | None, now: dt.datetime) -> None:
    figures = [figure.as_dict() for figure in monthly_report_figures(owner=report.owner, month=report.month, now=now)]
    pdf = report_pdf(owner_name=report.owner.name, month=report.month, figures=figures, generated_at=now)
    old_name = report.pdf.name if report.pdf else ""
    report.figures, report.generated_at, report.generated_by = figures, now, by
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.pdf.save(f"highlight-{report.owner_id}-{report.month:%Y-%m}.pdf", ContentFile(pdf), save=False)
    if old_name and old_name != report.pdf.name:
        transaction.on_commit(lambda: report.pdf.storage.delete(old_name))


def monthly_report_generate(*, owner: Organisation, month: dt.date, by: User | None = None,
                            now: dt.datetime | None = None) -> tuple[MonthlyReport, bool]:
    """The stored report for (owner, month): made now if there is none. Returns (report, created).

    An existing report is returned unchanged: generating never overwrites what was published.
    """
    month, now = _first_of(month), now or timezone.now()
    existing = MonthlyReport.objects.filter(owner=owner, month=month).first()
    if existing:
        return existing, False
    report = MonthlyReport(owner=owner, month=month)
    try:
        with transaction.atomic():
            _fill(report, by=by, now=now)
            report.save()
    except IntegrityError:  # another worker stored it first
        return MonthlyReport.objects.get(owner=owner, month=month), False
    return report, True


def monthly_report_regenerate(*, user: User, report: MonthlyReport, now: dt.datetime | None = None) -> MonthlyReport:
    """Recompute and replace a stored report, counting the regeneration (managers and admins)."""
    authorize(user, "regenerate", report)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        _fill(report, by=user, now=now or timezone.now())
        report.regenerated_count += 1
        report.save()
    return report


def report_recipients(owner: Organisation) -> list[str]:
    """The council's Operational Group members with an email address."""
    return sorted(User.objects.filter(organisation=owner, role=Role.OG_MEMBER, is_active=True)
                  .exclude(email="").values_list("email", flat=True))


def monthly_report_email(*, report: MonthlyReport, now: dt.datetime | None = None) -> int:
    """Email the stored PDF to the Operational Group once; returns messages sent (0 if already sent).

    The claim and the send share one transaction: if the mail server refuses, the claim rolls back
    and the next run tries again.
    """
    recipients = report_recipients(report.owner)
    if not recipients:
        return 0
    with transaction.atomic():
        claimed = MonthlyReport.objects.filter(pk=report.pk, emailed_at__isnull=True).update(
            emailed_at=now or timezone.now())
        if not claimed:
            return 0
        message = EmailMessage(
            subject=f"CCTV highlight report {report.month:%B %Y}: {report.owner.name}",
            body=(f"The CCTV highlight report for {report.month:%B %Y} is attached.\n"
                  f"SHA-256 of the PDF: {report.pdf_sha256}\n"),
            from_email=settings.DEFAULT_FROM_EMAIL, to=recipients,
        )
        with report.pdf.open("rb") as pdf:
            message.attach(f"cctv-highlight-{report.month:%Y-%m}.pdf", pdf.read(), "application/pdf")
        return message.send()


def first_working_day(month: dt.date) -> dt.date:
    """The month's first weekday that is not a bank holiday in England and Wales."""
    day = month.replace(day=1)
    while day.weekday() not in WORKING_WEEKDAYS or day in BANK_HOLIDAYS_ENGLAND_AND_WALES:
        day += dt.timedelta(days=1)
    return day


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def monthly_reports_run(*, today: dt.date, now: dt.datetime | None = None) -> dict[str, object]:
    """On the first working day of a month: last month's report for every council, emailed once.

    On any other day it does nothing, so beat can run it every morning. Running twice on the day
    neither stores a second report nor sends a second email.
    """
    if today != first_working_day(today):
        return {"today": today.isoformat(), "ran": False, "generated": 0, "emailed": 0}
    month = previous_month(today)
    generated = emailed = 0
    for owner in Organisation.objects.filter(kind=OrganisationKind.COUNCIL).order_by("pk"):
        report, created = monthly_report_generate(owner=owner, month=month, now=now)
        generated += created
        emailed += monthly_report_email(report=report, now=now)
    return {"today": today.isoformat(), "ran": True, "month": f"{month:%Y-%m}", "generated": generated,
            "emailed": emailed}
