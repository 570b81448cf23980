"""The chain of custody: an append-only, hash-chained log per request (DESIGN.md 2C and 5).

hash = sha256(prev_hash || canonical JSON of the event). PostgreSQL refuses UPDATE, DELETE and
TRUNCATE on this table (triggers in migration 0002); appends to one chain are serialised with
a transaction-level advisory lock (evidence.custody).
"""

from django.conf import settings
from django.db import models

from evidence.choices import CustodyEventType

GENESIS_HASH = "0" * 64


class CustodyEvent(models.Model):
    request = models.ForeignKey("evidence.EvidenceRequest", on_delete=models.PROTECT, related_name="custody_events")
    sequence = models.PositiveIntegerField()
    at = models.DateTimeField()
    event_type = models.CharField(max_length=30, choices=CustodyEventType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    actor_name = models.CharField(max_length=200)
    actor_organisation = models.CharField(max_length=200, blank=True)
    place = models.CharField(max_length=200, blank=True)
    exhibit = models.ForeignKey("evidence.Exhibit", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="custody_events")
    exhibit_reference = models.CharField(max_length=30, blank=True)
    exhibit_sha256 = models.CharField(max_length=64, blank=True)
    from_person = models.CharField(max_length=200, blank=True)
    to_person = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["request", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["request", "sequence"], name="custody_sequence_unique_per_request"),
            models.UniqueConstraint(fields=["request", "prev_hash"], name="custody_chain_never_forks"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}#{self.sequence} {self.event_type}"
