"""A user's own sessions: list them, end one, end the others (DESIGN.md 2F).

A session is named to its user by a short hash of its key, never the key itself: the key is
the credential, and a page that printed it would hand it to anyone who saw the page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.models import User, UserSession
from accounts.services import access_log_record


def session_handle(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class SessionRow:
    handle: str
    current: bool
    ip_address: str | None
    user_agent: str
    started_at: object
    last_seen_at: object
    expires_at: object


def sessions_of(*, user: User, current_key: str | None) -> list[SessionRow]:
    """The user's live sessions, this one first, then the most recently used."""
    rows = UserSession.objects.filter(user=user, expire_date__gt=timezone.now()).order_by("-last_seen_at")
    found = [
        SessionRow(handle=session_handle(row.session_key), current=row.session_key == current_key,
                   ip_address=row.ip_address, user_agent=row.user_agent, started_at=row.started_at,
                   last_seen_at=row.last_seen_at, expires_at=row.expire_date)
        for row in rows
    ]
    return sorted(found, key=lambda row: not row.current)


@transaction.atomic
def sessions_end(*, user: User, handles: set[str] | None, current_key: str | None,
                 ip_address: str | None = None) -> int:
    """End the user's sessions named by `handles` (None: every other one). Never the current one."""
    rows = UserSession.objects.select_for_update().filter(user=user).exclude(session_key=current_key or "")
    doomed = [row.session_key for row in rows if handles is None or session_handle(row.session_key) in handles]
    UserSession.objects.filter(session_key__in=doomed).delete()
    if doomed:
        access_log_record(user=user, event=AccessEvent.SESSION_ENDED, ip_address=ip_address,
                          detail=f"{len(doomed)} other session(s) ended by their user")
    return len(doomed)


def sessions_end_all(*, user: User, keep: str | None = None) -> int:
    """End every session of the user but `keep` (an administrator's reset, setting up a second factor)."""
    ended, _ = UserSession.objects.filter(user=user).exclude(session_key=keep or "").delete()
    return ended
