from cctv.models.cameras import Camera, CameraSnapshot, CameraStatusChange
from cctv.models.contract import Contract, SlaTerm
from cctv.models.faults import Fault, FaultNote
from cctv.models.health import HealthObservation
from cctv.models.network import CameraPath, Link, Node

__all__ = [
    "Camera", "CameraPath", "CameraSnapshot", "CameraStatusChange", "Contract", "Fault", "FaultNote",
    "HealthObservation", "Link", "Node", "SlaTerm",
]
