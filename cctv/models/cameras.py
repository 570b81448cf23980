"""Cameras, their status history and their snapshots (DESIGN.md 2A)."""

import pghistory
from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from cctv.choices import CameraKind, CameraStatus, Mounting, StatusSource


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
                 exclude=["view_polygon"])
class Camera(models.Model):
    """A public-space camera owned by a council.

    The field of view is bearing (degrees clockwise from grid north), angle and range; the
    polygon built from them (cctv.geometry) is stored so coverage is an indexed join. A PTZ
    camera covers the full circle of its range. Every change is kept by django-pghistory
    triggers, with the actor and reason attached as context by the service.
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="cameras")
    asset_ref = models.CharField("asset reference", max_length=40)
    name = models.CharField(max_length=200)
    location = models.PointField(srid=27700)
    mounting = models.CharField(max_length=20, choices=Mounting.choices, default=Mounting.COLUMN)
    kind = models.CharField(max_length=10, choices=CameraKind.choices, default=CameraKind.FIXED)
    make = models.CharField(max_length=100, blank=True)
    model_name = models.CharField("model", max_length=100, blank=True)
    installed_on = models.DateField(null=True, blank=True)
    upgraded_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=CameraStatus.choices, default=CameraStatus.PLANNED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    town = models.CharField(max_length=100, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    bearing_deg = models.FloatField(
        "view bearing (°)", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(359.999)]
    )
    view_angle_deg = models.FloatField(
        "field-of-view angle (°)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    view_range_m = models.FloatField(
        "view range (m)", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    view_polygon = models.PolygonField(srid=27700, null=True, blank=True, editable=False)
    retention_days = models.PositiveSmallIntegerField(
        default=31, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    purpose = models.TextField("purpose and pressing need", blank=True)
    dpia_ref = models.CharField("DPIA reference", max_length=60, blank=True)
    dpia_review_due_on = models.DateField("DPIA review due", null=True, blank=True)
    has_signage = models.BooleanField("signage in place", default=False)
    privacy_masking_notes = models.TextField(blank=True)
    publish_field_of_view = models.BooleanField(
        default=False, help_text="Show the exact field of view on the public transparency page."
    )
    node = models.ForeignKey(
        "cctv.Node", on_delete=models.PROTECT, null=True, blank=True, related_name="cameras",
        help_text="The cabinet or hub the camera is connected to.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asset_ref"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "asset_ref"], name="camera_asset_ref_unique_per_owner"),
            models.CheckConstraint(
                name="camera_bearing_in_range",
                condition=Q(bearing_deg__isnull=True) | Q(bearing_deg__gte=0, bearing_deg__lt=360),
            ),
            models.CheckConstraint(
                name="camera_angle_in_range",
                condition=Q(view_angle_deg__isnull=True) | Q(view_angle_deg__gt=0, view_angle_deg__lte=360),
            ),
            models.CheckConstraint(
                name="camera_range_positive", condition=Q(view_range_m__isnull=True) | Q(view_range_m__gt=0)
            ),
            models.CheckConstraint(name="camera_retention_positive", condition=Q(retention_days__gte=1)),
        ]
        indexes = [
            models.Index(fields=["status"], name="camera_status_idx"),
            models.Index(fields=["town"], name="camera_town_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_ref} {self.name}"


class CameraStatusChange(models.Model):
    """One entry of a camera's status timeline: from `changed_at` the camera was `status`.

    Entries are kept in the order things happened (changed_at), not the order they were
    received, so a late health-feed event lands in its place. Availability reads this table.
    """

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=20, choices=CameraStatus.choices)
    changed_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20, choices=StatusSource.choices, default=StatusSource.MANUAL)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["camera", "changed_at", "id"]
        indexes = [models.Index(fields=["camera", "changed_at"], name="camera_status_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.status} @ {self.changed_at:%Y-%m-%d %H:%M}"


class CameraSnapshot(models.Model):
    """A reference still of what the camera sees, re-encoded with its metadata stripped."""

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="snapshots")
    image = models.ImageField(upload_to="snapshots/%Y/%m/")
    thumbnail = models.ImageField(upload_to="snapshots/thumbs/%Y/%m/")
    width_px = models.PositiveIntegerField()
    height_px = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    caption = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"snapshot {self.pk} of {self.camera_id}"
