"""Celery tasks for evidence bundles (loaded by evidence.tasks)."""

from __future__ import annotations

import logging

from celery import shared_task

from evidence.bundles import bundle_build
from evidence.models import ReleaseBundle

logger = logging.getLogger(__name__)


@shared_task(name="evidence.tasks_bundles.bundle_build_task", acks_late=True)
def bundle_build_task(bundle_id: int, exhibit_ids: list[int] | None = None) -> str | None:
    """Build one release bundle; returns its status.

    acks_late with task_reject_on_worker_lost (settings): a worker that dies mid-build leaves the
    message to be delivered again, and bundle_build then discards the dead attempt's work file
    and builds from the start. A bundle already ready is left alone, so a repeat is harmless.
    `exhibit_ids` is the choice made when the bundle was requested (None: every exhibit not
    disposed of); it travels with the message because the bundle row has no field for it.
    """
    bundle = ReleaseBundle.objects.filter(pk=bundle_id).first()
    if bundle is None:
        logger.warning("bundle=%s does not exist; nothing to build", bundle_id)
        return None
    return bundle_build(bundle, exhibit_ids=exhibit_ids).status
