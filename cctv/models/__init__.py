from cctv.models.cameras import Camera, CameraSnapshot, CameraStatusChange
from cctv.models.contract import Contract, SlaTerm
from cctv.models.faults import Fault, FaultNote
from cctv.models.health import HealthObservation
from cctv.models.network import CameraPath, Link, Node
from cctv.models.scheme import Scheme

__all__ = [
    "Camera", "CameraPath", "CameraSnapshot", "CameraStatusChange", "Contract", "Fault", "FaultNote",
    "HealthObservation", "Link", "Node", "Scheme", "SlaTerm",
]
