"""Exhibits (exported footage, stills, redacted copies) and release bundles."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from evidence.choices import BundleStatus, ExhibitKind


class Exhibit(models.Model):
    """An item of evidence with a reference (e.g. JB/1), its bytes on storage and their SHA-256.

    The hash is computed while the upload streams in and never changes; a redacted copy is a new
    exhibit pointing at its original (`derived_from`). Files are named by the service, never by
    the uploader.
    """

    request = models.ForeignKey("evidence.EvidenceRequest", on_delete=models.PROTECT, related_name="exhibits")
    reference = models.CharField(max_length=30)
    kind = models.CharField(max_length=20, choices=ExhibitKind.choices)
    description = models.CharField(max_length=300, blank=True)
    is_master_copy = models.BooleanField(default=False)
    camera = models.ForeignKey("cctv.Camera", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_from = models.DateTimeField(null=True, blank=True)
    recorded_to = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="exhibits/%Y/%m/", max_length=300)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    derived_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="derivatives")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    disposal_on = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(default=False)
    disposed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["request", "reference"], name="exhibit_reference_unique_per_request"),
            models.UniqueConstraint(fields=["request"], condition=Q(is_master_copy=True, camera__isnull=True),
                                    name="exhibit_one_unattributed_master_per_request"),
        ]
        indexes = [models.Index(fields=["disposal_on"], name="exhibit_disposal_due_idx",
                                condition=Q(disposed_at__isnull=True, legal_hold=False))]

    def __str__(self) -> str:
        return self.reference


class ReleaseBundle(models.Model):
    """A ZIP of exhibits, manifest, custody log and continuity statement, built by a worker."""

    request = models.ForeignKey("evidence.EvidenceRequest", on_delete=models.PROTECT, related_name="bundles")
    status = models.CharField(max_length=20, choices=BundleStatus.choices, default=BundleStatus.BUILDING)
    file = models.FileField(upload_to="bundles/%Y/%m/", max_length=300, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    chain_head = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    built_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"bundle {self.pk} of {self.request_id}"
