"""Organisations, the people who belong to them, their API tokens and the access log."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q

from accounts.choices import AccessEvent, OrganisationKind, Role


class Organisation(models.Model):
    """A body taking part in the partnership: a council, the monitoring contractor, a force.

    A council owns an estate; `shares_with` lists the organisations that may see it (the
    contractor that monitors it, the force that views it). Requests are never shared this
    way: a police user sees only their own organisation's requests.
    """

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    shares_with = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="shared_by",
        help_text="Organisations allowed to see this organisation's estate.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person with one role in one organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True,
    )
    role = models.CharField(max_length=32, choices=Role.choices)

    objects = UserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_has_organisation_unless_admin",
                condition=Q(role=Role.ADMIN) | Q(organisation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token for an integration (police system, monitoring software).

    Only a SHA-256 of the secret is stored: the token is shown once when created. Tokens
    are random 256-bit values, so a fast hash is enough (there is nothing to brute-force).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AccessLogEntry(models.Model):
    """Who signed in, failed to, or viewed or downloaded what: read by auditors.

    The username is kept as text so the entry survives the account's deletion.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    username = models.CharField(max_length=150, blank=True)
    event = models.CharField(max_length=32, choices=AccessEvent.choices)
    object_label = models.CharField(max_length=100, blank=True)
    object_ref = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "access log entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.event}"


class UserSession(AbstractBaseSession):
    """A browser session, with whose it is and where it came from, so a user can see and end theirs.

    Django's documented way to extend the database session engine (accounts.sessions). The
    columns are copied from the session data on each save; the data stays the source of truth.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "expire_date"], name="user_session_user_idx")]

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
