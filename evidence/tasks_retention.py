"""Celery tasks for evidence retention (loaded by evidence.tasks)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from evidence.services.retention import exhibits_dispose, upload_leftovers_remove

__all__ = ["exhibits_dispose_task"]


@shared_task(name="evidence.tasks_retention.exhibits_dispose_task", acks_late=True)
def exhibits_dispose_task(now_iso: str | None = None) -> list[int]:
    """Nightly (config/schedule.py): destroy exhibits past retention, then abandoned upload files.

    acks_late is safe: disposal claims each exhibit with SKIP LOCKED and re-checks it, so a
    redelivered run destroys nothing twice. `now_iso` fixes the clock for tests and catch-up.
    """
    disposed = exhibits_dispose(dt.datetime.fromisoformat(now_iso) if now_iso else None)
    upload_leftovers_remove()
    return [exhibit.pk for exhibit in disposed]
