from evidence.models.custody import CustodyEvent
from evidence.models.exhibits import Exhibit, ReleaseBundle
from evidence.models.requests import Deadline, DeadlineAlert, Disclosure, EvidenceRequest, RequestCamera, SarClockPause

__all__ = [
    "CustodyEvent", "Deadline", "DeadlineAlert", "Disclosure", "EvidenceRequest", "Exhibit", "ReleaseBundle",
    "RequestCamera", "SarClockPause",
]
