"""What /healthz and `manage.py healthcheck` report: database, PostGIS, Redis, a worker."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

import redis
from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)


@dataclass
class HealthReport:
    database: str = "unknown"
    postgis: str | None = None
    redis: str = "unknown"
    worker: str = "unknown"
    workers: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"status": "ok" if self.ok else "unavailable", **asdict(self)}


def _check_database(report: HealthReport) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            report.postgis = cursor.fetchone()[0]
        report.database = "ok"
    except DatabaseError as exc:
        report.database = "down"
        report.problems.append(f"database unreachable: {exc.__class__.__name__}")
        logger.warning("health: database check failed: %s", exc)


def _check_redis(report: HealthReport) -> bool:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
        report.redis = "ok"
        return True
    except redis.RedisError as exc:
        report.redis = "down"
        report.problems.append(f"redis unreachable at {_redacted(settings.REDIS_URL)}: {exc.__class__.__name__}")
        return False
    finally:
        client.close()


def _check_worker(report: HealthReport) -> None:
    from config.celery import app

    try:
        replies = app.control.ping(timeout=settings.HEALTH_WORKER_TIMEOUT_S) or []
    except Exception as exc:  # kombu raises transport-specific errors; all mean "no answer"
        replies = []
        logger.warning("health: worker ping failed: %s", exc)
    report.workers = sorted(name for reply in replies for name in reply)
    if report.workers:
        report.worker = "ok"
    else:
        report.worker = "down"
        report.problems.append("no Celery worker answered a ping")


def _redacted(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


def health_report(*, include_worker: bool = True) -> HealthReport:
    report = HealthReport()
    _check_database(report)
    redis_up = _check_redis(report)
    if include_worker:
        if redis_up:
            _check_worker(report)
        else:
            report.worker = "unknown"
            report.problems.append("worker not checked: the broker (redis) is down")
    return report
