"""Retention: destroying exhibits when their period ends, unless a legal hold keeps them.

Personal data is kept no longer than needed (UK GDPR Art 5(1)(e)); each exhibit's
disposal_on is set when it is stored (evidence.services.exhibits.retention_days). The row
and its custody events stay forever: the custody log records what was destroyed, when and
its SHA-256, so the chain still verifies and anyone can show the file was not kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput
from accounts.models import User
from accounts.permissions import authorize, can
from evidence.choices import CustodyEventType
from evidence.custody import custody_event_append
from evidence.models import Exhibit
from evidence.services.exhibits import ExhibitGone
from evidence.uploads import TEMP_PREFIX, TEMP_SUFFIX, upload_temp_dir

logger = logging.getLogger(__name__)

DISPOSAL_BATCH = 200
# An upload still being written is never this old: anything older in the temp dir was left
# by a worker that was killed mid-upload (no Python cleanup runs on SIGKILL).
UPLOAD_LEFTOVER_AGE_S = 24 * 3600


def _due(today: dt.date) -> Q:
    # Matches the partial index exhibit_disposal_due_idx (disposed_at IS NULL AND NOT legal_hold).
    return Q(disposal_on__lte=today, disposed_at__isnull=True, legal_hold=False)


def exhibits_dispose(now: dt.datetime | None = None) -> list[Exhibit]:
    """Destroy every exhibit due by today (London date): file deleted, row kept, custody 'destroyed'.

    Safe to run twice or on two workers at once: each exhibit is claimed with
    SELECT ... FOR UPDATE SKIP LOCKED and re-checked under the lock. The file is deleted as the
    last step inside the transaction: if the commit then failed, the row is still due and the
    next run finishes the job (deleting a missing file is a no-op), so a row never claims a
    file is destroyed while it is still on disk.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    disposed = []
    candidate_ids = list(Exhibit.objects.filter(_due(today)).order_by("disposal_on", "pk")
                         .values_list("pk", flat=True)[:DISPOSAL_BATCH])
    for exhibit_id in candidate_ids:
        with transaction.atomic():
            exhibit = (Exhibit.objects.select_for_update(skip_locked=True).select_related("request")
                       .filter(_due(today), pk=exhibit_id).first())
            if exhibit is None:
                continue  # another worker has it, or a hold was set meanwhile
            exhibit.disposed_at = now
            exhibit.save(update_fields=["disposed_at"])
            custody_event_append(
                request=exhibit.request, event_type=CustodyEventType.DESTROYED, actor=None, exhibit=exhibit, at=now,
                detail={"reason": "retention period ended", "disposal_on": exhibit.disposal_on.isoformat(),
                        "size_bytes": exhibit.size_bytes, "file": exhibit.file.name},
            )
            exhibit.file.storage.delete(exhibit.file.name)
        disposed.append(exhibit)
        logger.info("exhibit destroyed exhibit=%s request=%s", exhibit.pk, exhibit.request_id)
    return disposed


@transaction.atomic
def exhibit_legal_hold_set(exhibit: Exhibit, *, on: bool, by: User, reason: str) -> Exhibit:
    """Keep an exhibit past its disposal date (an appeal, a civil claim), or release the hold."""
    authorize(by, "view", exhibit.request)
    # accounts.permissions scopes evidence.exhibit by its request's owner; the request check
    # above applies that scope, and this asks whether the role may set holds at all.
    if not can(by, "legal_hold", Exhibit):
        raise Forbidden("Your role may not set or release a legal hold.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for the legal hold change (e.g. the case or claim it is for).")
    exhibit = Exhibit.objects.select_for_update().select_related("request").get(pk=exhibit.pk)
    if exhibit.disposed_at is not None:
        raise ExhibitGone(f"Exhibit {exhibit.reference} has already been destroyed.")
    if exhibit.legal_hold == on:
        return exhibit
    exhibit.legal_hold = on
    exhibit.save(update_fields=["legal_hold"])
    custody_event_append(request=exhibit.request, event_type=CustodyEventType.LEGAL_HOLD, actor=by, exhibit=exhibit,
                         detail={"legal_hold": on, "reason": reason[:1000]})
    logger.info("exhibit legal_hold=%s exhibit=%s user=%s", on, exhibit.pk, by.pk)
    return exhibit


def upload_leftovers_remove(*, older_than_s: int = UPLOAD_LEFTOVER_AGE_S) -> list[Path]:
    """Delete temporary upload files abandoned by a killed worker."""
    cutoff = time.time() - older_than_s
    removed = []
    for path in upload_temp_dir().glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    if removed:
        logger.warning("removed %s abandoned upload files", len(removed))
    return removed
