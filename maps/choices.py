from django.db import models


class IncidentSource(models.TextChoices):
    POLICE_OPEN_DATA = "police_open_data", "Police open data (street-level crime)"
    LOCAL = "local", "Local record (staff)"
    GENERATED = "generated", "Generated (demo)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
