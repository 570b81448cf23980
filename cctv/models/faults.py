"""Fault tickets against a camera, a node or a link, with their SLA clocks."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from cctv.choices import FAULT_STATUSES_ACTIVE, FaultPriority, FaultSource, FaultStatus


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class Fault(models.Model):
    """A fault ticket. Due times are computed from the contract's SLA terms when it opens.

    A breach is stamped once (`*_breached_at`) by the periodic check and notified once
    (`*_breach_notified_at`): the check claims the row with a conditional update.
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="faults")
    reference = models.CharField(max_length=20, unique=True)
    camera = models.ForeignKey("cctv.Camera", on_delete=models.PROTECT, null=True, blank=True, related_name="faults")
    node = models.ForeignKey("cctv.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="faults")
    link = models.ForeignKey("cctv.Link", on_delete=models.PROTECT, null=True, blank=True, related_name="faults")
    contract = models.ForeignKey(
        "cctv.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="faults"
    )
    priority = models.CharField(max_length=2, choices=FaultPriority.choices)
    status = models.CharField(max_length=20, choices=FaultStatus.choices, default=FaultStatus.OPEN)
    source = models.CharField(max_length=20, choices=FaultSource.choices, default=FaultSource.MANUAL)
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="faults_assigned"
    )
    reported_at = models.DateTimeField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fixed_at = models.DateTimeField(null=True, blank=True)
    fixed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    response_due_at = models.DateTimeField(null=True, blank=True)
    fix_due_at = models.DateTimeField(null=True, blank=True)
    sla_rule = models.CharField(max_length=200, blank=True, help_text="The SLA term that produced the due times.")
    response_breached_at = models.DateTimeField(null=True, blank=True)
    fix_breached_at = models.DateTimeField(null=True, blank=True)
    response_breach_notified_at = models.DateTimeField(null=True, blank=True)
    fix_breach_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at"]
        constraints = [
            models.CheckConstraint(
                name="fault_has_exactly_one_subject",
                condition=(
                    Q(camera__isnull=False, node__isnull=True, link__isnull=True)
                    | Q(camera__isnull=True, node__isnull=False, link__isnull=True)
                    | Q(camera__isnull=True, node__isnull=True, link__isnull=False)
                ),
            ),
            # The health feed opens at most one fault per camera while one is active.
            models.UniqueConstraint(
                fields=["camera"], name="fault_one_active_automatic_per_camera",
                condition=Q(source=FaultSource.HEALTH_FEED, status__in=FAULT_STATUSES_ACTIVE),
            ),
        ]
        indexes = [
            # For the breach check (cctv.tasks.sla_breaches_check_task): active faults by due time.
            models.Index(fields=["fix_due_at"], name="fault_active_fix_due_idx",
                         condition=Q(status__in=FAULT_STATUSES_ACTIVE)),
            models.Index(fields=["response_due_at"], name="fault_open_response_due_idx",
                         condition=Q(status=FaultStatus.OPEN)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    @property
    def subject(self):
        return self.camera or self.node or self.link


class FaultNote(models.Model):
    fault = models.ForeignKey(Fault, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"note on {self.fault_id}"
