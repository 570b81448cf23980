"""Incidents for coverage analysis, and the imports that brought them (DESIGN.md 2D)."""

from django.conf import settings
from django.contrib.gis.db import models

from maps.choices import CandidateSiteKind, ImportStatus, IncidentSource, ProposalItemKind, ProposalStatus


class IncidentImport(models.Model):
    """One import of a police street-level crime CSV: what it held and what became of each row."""

    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True, help_text="reason -> count")
    months = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"


class Incident(models.Model):
    """A recorded crime or ASB incident with a location, for coverage analysis.

    Police open data gives a month, not a date, and a location snapped to a map point
    ("On or near ..."); rows without a location are counted by the import, never stored. A
    re-import of a month from the same force replaces that month (a later file updates
    outcomes), so (source, falls_within, month) is the unit of replacement.
    """

    source = models.CharField(max_length=20, choices=IncidentSource.choices)
    crime_ref = models.CharField("crime id", max_length=64, blank=True)
    month = models.DateField(help_text="First day of the month the incident was recorded in.")
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="Local records only.")
    reported_by = models.CharField(max_length=100, blank=True)
    falls_within = models.CharField(max_length=100, blank=True)
    location = models.PointField(srid=27700)
    location_text = models.CharField(max_length=200, blank=True)
    lsoa_code = models.CharField(max_length=12, blank=True)
    lsoa_name = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=100)
    outcome = models.CharField(max_length=200, blank=True)
    context = models.TextField(blank=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="incidents", help_text="For local records: the council that keeps them.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    batch = models.ForeignKey(IncidentImport, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="incidents")

    class Meta:
        ordering = ["-month", "id"]
        indexes = [
            models.Index(fields=["month", "category"], name="incident_month_category_idx"),
            models.Index(fields=["source", "falls_within", "month"], name="incident_replace_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.month:%Y-%m} {self.location_text}"


class Proposal(models.Model):
    """A plan to move or add cameras, with its effect and cost, decided by the Operational Group.

    Workflow: draft -> submitted -> approved or rejected (with a reason) -> done; "done" applies
    each item to the estate with history (a relocation, or a new planned camera).
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=200)
    rationale = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    fibre_cost_gbp_per_m = models.DecimalField(max_digits=8, decimal_places=2,
                                               help_text="Rate used for the fibre cost estimate.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ProposalItem(models.Model):
    """One change in a proposal: move camera X to a point and view, or add a camera there."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=ProposalItemKind.choices)
    camera = models.ForeignKey("cctv.Camera", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="proposal_items", help_text="The camera to move (kind 'move').")
    name = models.CharField(max_length=200, blank=True, help_text="For a new camera.")
    camera_kind = models.CharField(max_length=10, default="fixed")
    location = models.PointField(srid=27700)
    bearing_deg = models.FloatField(null=True, blank=True)
    view_angle_deg = models.FloatField(null=True, blank=True)
    view_range_m = models.FloatField()
    view_polygon = models.PolygonField(srid=27700, null=True, blank=True, editable=False)
    created_camera = models.ForeignKey("cctv.Camera", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+", help_text="The camera made when done.")

    class Meta:
        ordering = ["proposal", "id"]
        constraints = [
            models.CheckConstraint(
                name="proposal_item_move_has_camera",
                condition=models.Q(kind="add") | models.Q(camera__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.camera_id or self.name}"


class CandidateSite(models.Model):
    """A place a camera could go (a pole or building entered by staff), for placement suggestions."""

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="candidate_sites")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=CandidateSiteKind.choices, default=CandidateSiteKind.POLE)
    location = models.PointField(srid=27700)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
