"""The monitoring contract and its SLA terms (DESIGN.md 2B)."""

import datetime as dt

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from cctv.choices import FaultPriority, SlaClock


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Contract(models.Model):
    """The council's contract with the monitoring contractor.

    Service credits: a fixed sum per response or fix breach, plus a share of the monthly fee
    for each whole percentage point of estate availability below target.
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="contracts")
    contractor = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="contracts_held")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    monitored_hours = models.CharField(max_length=200, default="24 hours a day, 365 days a year")
    availability_target_pct = models.DecimalField(
        "estate availability target (%)", max_digits=5, decimal_places=2, default=98,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    camera_availability_target_pct = models.DecimalField(
        "per-camera availability target (%)", max_digits=5, decimal_places=2, default=95,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    monthly_fee_gbp = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    credit_per_response_breach_gbp = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    credit_per_fix_breach_gbp = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    availability_credit_pct_per_point = models.DecimalField(
        "credit (% of monthly fee) per point below target", max_digits=5, decimal_places=2, default=0
    )
    contract_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contracts_owned",
        help_text="Notified of SLA breaches.",
    )
    working_day_starts_at = models.TimeField(default=dt.time(8, 0))
    working_day_ends_at = models.TimeField(default=dt.time(18, 0))

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "reference"], name="contract_reference_unique_per_owner"),
            models.CheckConstraint(name="contract_term_ordered", condition=Q(ends_on__gt=F("starts_on"))),
            models.CheckConstraint(
                name="contract_working_day_ordered", condition=Q(working_day_ends_at__gt=F("working_day_starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class SlaTerm(models.Model):
    """Time to respond and to fix a fault of one priority, on the clock the contract says."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="sla_terms")
    priority = models.CharField(max_length=2, choices=FaultPriority.choices)
    response_minutes = models.PositiveIntegerField()
    fix_minutes = models.PositiveIntegerField()
    clock = models.CharField(max_length=20, choices=SlaClock.choices, default=SlaClock.ROUND_THE_CLOCK)

    class Meta:
        ordering = ["contract", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "priority"], name="sla_term_one_per_priority"),
            models.CheckConstraint(name="sla_fix_after_response", condition=Q(fix_minutes__gte=F("response_minutes"))),
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: respond {self.response_minutes} min, fix {self.fix_minutes} min"
