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


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    DONE = "done", "Done"


class ProposalItemKind(models.TextChoices):
    MOVE = "move", "Move an existing camera"
    ADD = "add", "Add a new camera"


class CandidateSiteKind(models.TextChoices):
    POLE = "pole", "Existing pole or column (entered by staff)"
    BUILDING = "building", "Building mount (entered by staff)"
