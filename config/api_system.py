"""System endpoints: who am I, and the health report."""

from django.http import HttpRequest
from ninja import Router, Schema, Status

from config.health import health_report

router = Router(tags=["system"])


class HealthOut(Schema):
    status: str
    database: str
    postgis: str | None
    redis: str
    worker: str
    workers: list[str]
    problems: list[str]


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None, summary="Service health")
def health(request: HttpRequest):
    report = health_report()
    return Status(200 if report.ok else 503, report.as_dict())
