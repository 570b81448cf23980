"""Status observations pushed by the monitoring software (POST /api/health/events)."""

from django.db import models

from cctv.choices import HealthState


class HealthObservation(models.Model):
    """One observation as received. The unique constraint makes a repeated batch a no-op."""

    camera = models.ForeignKey("cctv.Camera", on_delete=models.CASCADE, related_name="health_observations")
    state = models.CharField(max_length=20, choices=HealthState.choices)
    observed_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["camera", "observed_at"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "observed_at", "state"], name="health_observation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.state} @ {self.observed_at}"
