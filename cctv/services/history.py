"""What every estate change records about who made it (django-pghistory context)."""

from typing import Any

from accounts.models import User


def history_actor(user: User | None) -> dict[str, Any]:
    """The actor as pghistory context: the id, and the name as text so it outlives the account."""
    return {"user": user.pk, "username": user.username} if user is not None and user.pk else {"user": None}
