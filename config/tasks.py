"""Tasks that belong to no single app."""

import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="config.tasks.heartbeat_task")
def heartbeat_task() -> str:
    """Record that beat and a worker are both running; /healthz reports its age."""
    now = timezone.now().isoformat()
    cache.set("vale:heartbeat", now, timeout=None)
    return now


@shared_task(name="config.tasks.echo_task")
def echo_task(value: int) -> int:
    """Round trip used by the health check's tests and `healthcheck --deep`."""
    return value * 2
