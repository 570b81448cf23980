"""Stored monthly highlight reports and annual camera reviews (DESIGN.md 2E)."""

from django.conf import settings
from django.db import models

from reports.choices import ReviewDecision


class MonthlyReport(models.Model):
    """One council's highlight report for one month, stored so it is re-downloadable unchanged.

    Regenerating recomputes the figures, replaces the stored files and counts the regeneration.
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="monthly_reports")
    month = models.DateField(help_text="First day of the month reported.")
    figures = models.JSONField(help_text="Every figure with its previous month, same month last year and links.")
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    regenerated_count = models.PositiveIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "owner"]
        constraints = [models.UniqueConstraint(fields=["owner", "month"], name="monthly_report_once_per_month")]

    def __str__(self) -> str:
        return f"{self.owner} {self.month:%Y-%m}"


class CameraReview(models.Model):
    """A reviewer's decision on one camera's continued justification (Surveillance Camera Code)."""

    camera = models.ForeignKey("cctv.Camera", on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    reason = models.TextField()
    figures = models.JSONField(help_text="The 12-month figures the decision was made on.")
    next_review_on = models.DateField()
    proposal = models.ForeignKey("maps.Proposal", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", help_text="The draft relocation proposal a 'relocate' opened.")

    class Meta:
        ordering = ["-reviewed_on", "camera"]

    def __str__(self) -> str:
        return f"review of {self.camera_id} on {self.reviewed_on}"


class AnnualReviewSummary(models.Model):
    """The published summary of one year's camera reviews: what the public page shows.

    The figures are counted from the year's CameraReview rows when it is published and stored,
    so the published text and its numbers stay as they were published.
    """

    owner = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="review_summaries")
    year = models.PositiveSmallIntegerField()
    summary = models.TextField(help_text="The council's plain-words summary of the year's review.")
    figures = models.JSONField(help_text="Cameras in operation, reviewed, kept, to relocate, to decommission.")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "owner"]
        constraints = [models.UniqueConstraint(fields=["owner", "year"], name="review_summary_once_per_year")]

    def __str__(self) -> str:
        return f"{self.owner} review {self.year}"
