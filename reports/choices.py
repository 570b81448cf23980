from django.db import models


class ReviewDecision(models.TextChoices):
    KEEP = "keep", "Keep"
    RELOCATE = "relocate", "Relocate"
    DECOMMISSION = "decommission", "Decommission"
