"""The session engine: Django's database sessions, with the user and device kept in columns.

A user's session list and "end my other sessions" need to find sessions by user, which the
stock engine cannot do without decoding every row. The columns are filled from keys the sign-in
puts in the session data (accounts.signals), so the engine needs no request.
"""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone

META_KEY = "_vale_meta"  # {"ip": ..., "ua": ..., "started": iso time}


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import UserSession

        return UserSession

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        meta = data.get(META_KEY) or {}
        user_id = data.get(SESSION_KEY)
        instance.user_id = int(user_id) if user_id is not None else None
        instance.ip_address = meta.get("ip") or None
        instance.user_agent = (meta.get("ua") or "")[:300]
        instance.started_at = meta.get("started") or None
        instance.last_seen_at = timezone.now()
        return instance
