"""State-changing rules for accounts: users, API tokens, the access log."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.choices import AccessEvent, Role
from accounts.exceptions import InvalidInput
from accounts.models import AccessLogEntry, ApiToken, Organisation, User

logger = logging.getLogger(__name__)

TOKEN_TAG = "vcctv"


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown to the user once, never stored


@transaction.atomic
def api_token_create(*, user: User, name: str) -> IssuedToken:
    """Issue a bearer token `vcctv_<prefix>_<secret>`; only the secret's hash is kept."""
    name = name.strip()
    if not name:
        raise InvalidInput("Give the token a name that says what uses it.")
    if len(name) > 100:
        raise InvalidInput(f"The token name is {len(name)} characters long; the limit is 100.")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, secret_hash=_hash_secret(secret))
    access_log_record(user=user, event=AccessEvent.TOKEN_CREATED, object_label="api token", object_ref=prefix)
    logger.info("api token created prefix=%s user=%s", prefix, user.pk)
    return IssuedToken(token=token, plaintext=f"{TOKEN_TAG}_{prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        access_log_record(user=by, event=AccessEvent.TOKEN_REVOKED, object_label="api token", object_ref=token.prefix)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a presented token, or None. Records when it was last used."""
    try:
        tag, prefix, secret = raw.strip().split("_", 2)
    except ValueError:
        return None
    if tag != TOKEN_TAG:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not secrets.compare_digest(token.secret_hash, _hash_secret(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute per token: the health feed calls many times a minute.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def access_log_record(
    *,
    event: str,
    user: User | None = None,
    username: str = "",
    object_label: str = "",
    object_ref: str = "",
    ip_address: str | None = None,
    detail: str = "",
) -> AccessLogEntry:
    return AccessLogEntry.objects.create(
        user=user if user is not None and user.pk else None,
        username=(user.username if user is not None and user.pk else username)[:150],
        event=event,
        object_label=object_label[:100],
        object_ref=str(object_ref)[:100],
        ip_address=ip_address,
        detail=detail[:500],
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    organisation: Organisation | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    validate: bool = True,
) -> User:
    """Create a person with one role; administrators need no organisation, everyone else does."""
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    if role != Role.ADMIN and organisation is None:
        raise InvalidInput("Every user except an administrator belongs to an organisation.")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"A user called {username!r} already exists.")
    user = User(
        username=username, email=email, first_name=first_name, last_name=last_name,
        role=role, organisation=organisation,
        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
    )
    if validate:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    logger.info("user created id=%s role=%s", user.pk, role)
    return user
