"""Evidence requests, the cameras they concern, their deadlines and disclosures (DESIGN.md 2C)."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q

from evidence.choices import DeadlineKind, LegalBasis, RequestKind, RequestState, Urgency


class EvidenceRequest(models.Model):
    """A request for footage: from the police, a member of the public (SAR), an insurer, a court.

    `owner` is the council that controls the footage (the data controller). The requesting
    organisation sees only its own requests; the owner's staff see the requests made to it.
    """

    reference = models.CharField(max_length=20, unique=True)
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="evidence_requests")
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="evidence_requests")
    requester_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="requests_made"
    )
    requester_name = models.CharField(max_length=200, blank=True, help_text="For a SAR: the data subject.")
    requester_contact = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=30, choices=RequestKind.choices)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    crime_reference = models.CharField(max_length=60, blank=True)
    incident_starts_at = models.DateTimeField()
    incident_ends_at = models.DateTimeField()
    location = models.PointField(srid=27700, null=True, blank=True)
    location_description = models.CharField(max_length=300, blank=True)
    reason = models.TextField()
    description_of_person = models.TextField(blank=True, help_text="For a SAR: how to recognise the requester.")
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ROUTINE)
    state = models.CharField(max_length=30, choices=RequestState.choices, default=RequestState.SUBMITTED)
    state_changed_at = models.DateTimeField()
    received_at = models.DateTimeField()
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="evidence_requests_assigned")
    refusal_reason = models.TextField(blank=True)
    none_found_reason = models.TextField(blank=True)
    withdrawal_reason = models.TextField(blank=True)
    identity_verified_at = models.DateTimeField(null=True, blank=True)
    footage_lost_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(name="request_window_ordered",
                                   condition=Q(incident_ends_at__gte=F("incident_starts_at"))),
            models.CheckConstraint(name="request_has_a_requester",
                                   condition=Q(requester__isnull=False) | ~Q(requester_name="")),
        ]
        indexes = [models.Index(fields=["state"], name="request_state_idx")]

    def __str__(self) -> str:
        return self.reference


class RequestCamera(models.Model):
    """A camera a request concerns, its own overwrite time, and whether its footage was secured."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="request_cameras")
    camera = models.ForeignKey("cctv.Camera", on_delete=models.PROTECT, related_name="request_links")
    overwrite_at = models.DateTimeField()
    retention_days = models.PositiveSmallIntegerField(help_text="The camera's retention when the request came.")
    secured_at = models.DateTimeField(null=True, blank=True)
    lost_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["overwrite_at", "camera_id"]
        constraints = [models.UniqueConstraint(fields=["request", "camera"], name="request_camera_once")]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.camera_id}"


class Deadline(models.Model):
    """A computed deadline with the rule that produced it, so anyone can check the arithmetic."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=20, choices=DeadlineKind.choices)
    due_at = models.DateTimeField()
    rule = models.CharField(max_length=500)
    computed_at = models.DateTimeField(auto_now=True)
    met_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["request", "kind"], name="deadline_one_per_kind")]
        indexes = [models.Index(fields=["due_at"], name="deadline_open_due_idx",
                                condition=Q(met_at__isnull=True, missed_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"


class DeadlineAlert(models.Model):
    """One alert sent ahead of a deadline: the unique constraint makes it once per lead time."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="alerts")
    lead_minutes = models.PositiveIntegerField()
    due_at = models.DateTimeField(help_text="The deadline as it stood when alerted.")
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "lead_minutes", "due_at"], name="deadline_alert_once"),
        ]

    def __str__(self) -> str:
        return f"alert {self.lead_minutes} min before {self.deadline_id}"


class SarClockPause(models.Model):
    """The SAR clock stops while the service waits for identity or a clarification (ICO guidance)."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="clock_pauses")
    reason = models.CharField(max_length=300)
    paused_on = models.DateField()
    resumed_on = models.DateField(null=True, blank=True)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["paused_on", "id"]

    def __str__(self) -> str:
        return f"pause {self.paused_on}..{self.resumed_on or ''}"


class Disclosure(models.Model):
    """A release of footage to a third party: who, what, when, on what basis, approved by whom."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.PROTECT, related_name="disclosures")
    exhibits = models.ManyToManyField("evidence.Exhibit", related_name="disclosures")
    recipient_name = models.CharField(max_length=200)
    recipient_organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, null=True,
                                               blank=True, related_name="+")
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    released_at = models.DateTimeField()
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=100, default="download")
    chain_head = models.CharField(max_length=64, help_text="The custody chain's head hash at release.")

    class Meta:
        ordering = ["-released_at"]

    def __str__(self) -> str:
        return f"disclosure {self.pk} of {self.request_id}"
