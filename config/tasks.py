"""Tasks that belong to no single app."""

import logging
from importlib import import_module

from celery import shared_task
from django.conf import settings
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


@shared_task(name="config.tasks.expired_sessions_purge_task")
def expired_sessions_purge_task() -> None:
    """Remove sessions past their idle expiry (Django never deletes them on its own)."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
