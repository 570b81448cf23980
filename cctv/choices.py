"""Choices of the estate, with what is keyed by them (map colours, health-feed mapping)."""

from django.db import models


class CameraStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded", "Degraded"
    FAULTY = "faulty", "Faulty"
    OFFLINE = "offline", "Offline"
    DECOMMISSIONED = "decommissioned", "Decommissioned"


CAMERA_STATUS_COLOUR = {
    CameraStatus.PLANNED: "#6f42c1",
    CameraStatus.OPERATIONAL: "#2e7d32",
    CameraStatus.DEGRADED: "#b26a00",
    CameraStatus.FAULTY: "#d84315",
    CameraStatus.OFFLINE: "#b3261e",
    CameraStatus.DECOMMISSIONED: "#5b6673",
}

# Statuses in which a camera is recording usable footage: they count as "up" for availability.
CAMERA_STATUSES_UP = (CameraStatus.OPERATIONAL, CameraStatus.DEGRADED)
# Statuses outside the monitored estate: time spent in them is left out of availability.
CAMERA_STATUSES_UNMONITORED = (CameraStatus.PLANNED, CameraStatus.DECOMMISSIONED)


class CameraKind(models.TextChoices):
    FIXED = "fixed", "Fixed"
    PTZ = "ptz", "PTZ"
    DOME = "dome", "Dome"
    ANPR = "anpr", "ANPR"


class Mounting(models.TextChoices):
    COLUMN = "column", "Column"
    WALL = "wall", "Wall bracket"
    BUILDING = "building", "Building"
    POLE = "pole", "Pole"
    OTHER = "other", "Other"


class StatusSource(models.TextChoices):
    MANUAL = "manual", "Changed by staff"
    HEALTH_FEED = "health_feed", "Monitoring software"
    FAULT = "fault", "Fault ticket"
    IMPORT = "import", "Import"
    SYSTEM = "system", "System"


class HealthState(models.TextChoices):
    """What the monitoring software reports (DESIGN.md 2B)."""

    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"
    VIDEO_LOSS = "video_loss", "Video loss"
    TAMPER = "tamper", "Tamper"


HEALTH_STATE_TO_CAMERA_STATUS = {
    HealthState.ONLINE: CameraStatus.OPERATIONAL,
    HealthState.OFFLINE: CameraStatus.OFFLINE,
    HealthState.VIDEO_LOSS: CameraStatus.FAULTY,
    HealthState.TAMPER: CameraStatus.FAULTY,
}


class NodeKind(models.TextChoices):
    CABINET = "cabinet", "Street cabinet"
    HUB = "hub", "Hub"
    MONITORING_CENTRE = "monitoring_centre", "Monitoring centre"
    VIEWING_PLATFORM = "viewing_platform", "Viewing platform"


class LinkKind(models.TextChoices):
    FIBRE = "fibre", "Fibre"
    WIRELESS = "wireless", "Wireless"
    CELLULAR_4G = "cellular_4g", "4G"


class NetworkStatus(models.TextChoices):
    IN_SERVICE = "in_service", "In service"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"
    PLANNED = "planned", "Planned"
    RETIRED = "retired", "Retired"


# A link or node in these states carries traffic for trace and impact.
NETWORK_STATUSES_CARRYING = (NetworkStatus.IN_SERVICE, NetworkStatus.DEGRADED)


class FaultPriority(models.TextChoices):
    P1 = "p1", "P1 critical"
    P2 = "p2", "P2 high"
    P3 = "p3", "P3 medium"
    P4 = "p4", "P4 low"


class FaultStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    FIXED = "fixed", "Fixed"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


FAULT_STATUSES_ACTIVE = (FaultStatus.OPEN, FaultStatus.ACKNOWLEDGED)

FAULT_PRIORITY_COLOUR = {
    FaultPriority.P1: "#b3261e",
    FaultPriority.P2: "#d84315",
    FaultPriority.P3: "#b26a00",
    FaultPriority.P4: "#5b6673",
}


class FaultSource(models.TextChoices):
    MANUAL = "manual", "Reported by staff"
    HEALTH_FEED = "health_feed", "Opened by the health feed"


class SlaClock(models.TextChoices):
    ROUND_THE_CLOCK = "24_7", "24/7"
    WORKING_HOURS = "working_hours", "Working hours (Mon–Fri, excl. bank holidays)"
