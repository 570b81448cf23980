"""Two-factor sign-in rules: who needs a second factor, and whether a session has given one.

The middleware (pages) and the API's session authentication both ask `second_factor_missing`,
so the rule lives here once. TOTP devices and recovery codes are django-otp's.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import AccessEvent, Role
from accounts.exceptions import Forbidden, InvalidInput
from accounts.models import User
from accounts.services import access_log_record
from accounts.user_sessions import sessions_end_all


def role_requires_second_factor(role: str) -> bool:
    return role in settings.TWO_FACTOR_REQUIRED_ROLES


def totp_device_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_device_of(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def second_factor_missing(request) -> bool:
    """True for a signed-in session whose role needs a second factor it has not given.

    Asked on every request, so it costs no query. Someone who opted in is covered without one:
    their sign-in asks for the code (accounts.views.LoginView), and setting up an authenticator ends
    their other sessions, so no session of theirs lives on without it.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not role_requires_second_factor(user.role):
        return False
    verified = getattr(user, "is_verified", None)
    return not (verified is not None and verified())


# --- enrolment, codes, reset ---------------------------------------------------------------------

@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str  # base32, as authenticator apps take it by hand
    otpauth_url: str
    qr_svg: str  # drawn here with segno: no image leaves the server for a third-party QR service


def enrolment_start(user: User) -> Enrolment:
    """The user's unconfirmed authenticator, made once and reused so a reload keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, dark="#000", light="#fff", title="QR code for your authenticator app")
    return Enrolment(device=device, secret=secret, otpauth_url=device.config_url, qr_svg=svg)


def secret_to_key(secret: str) -> bytes:
    """The key bytes of a base32 secret as shown to people (spaces and case ignored)."""
    cleaned = "".join(secret.split()).upper()
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError:
        raise ValueError("That is not a base32 key (letters A-Z and digits 2-7).") from None


def code_clean(raw: str) -> str:
    return "".join((raw or "").split()).replace("-", "").lower()


def code_verify(*, device: Device, code: str) -> tuple[bool, str]:
    """Check one code against one device under its row lock: (accepted, why not).

    django-otp keeps the throttle (a wait that doubles with each wrong code) and refuses a TOTP
    code already used, so a code seen over a shoulder cannot be replayed.
    """
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            return False, "Too many wrong codes: wait a little and try again."
        if device.verify_token(code):
            return True, ""
        return False, "That code is not right. Check your authenticator app's clock and try again."


def enrolment_confirm(*, user: User, device: TOTPDevice, code: str, ip_address: str | None,
                      current_session_key: str | None = None) -> list[str]:
    """Confirm the authenticator with a code from it, and issue recovery codes (returned once).

    The user's other sessions end: they were opened with the password alone.

    Not one transaction: a wrong code's log entry and throttle count must outlive the refusal.
    """
    accepted, why = code_verify(device=device, code=code_clean(code))
    if not accepted:
        access_log_record(user=user, event=AccessEvent.SECOND_FACTOR_FAILED, ip_address=ip_address,
                          detail=f"enrolment: {why}")
        raise InvalidInput(why)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        codes = recovery_codes_issue(user=user)
        ended = sessions_end_all(user=user, keep=current_session_key)
        access_log_record(user=user, event=AccessEvent.TWO_FACTOR_ENROLLED, ip_address=ip_address,
                          detail=f"{ended} other session(s) ended" if ended else "")
    return codes


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; each works once. Only these are shown."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_renew(*, user: User, ip_address: str | None) -> list[str]:
    if totp_device_of(user) is None:
        raise InvalidInput("Set up an authenticator app before making recovery codes.")
    with transaction.atomic():
        codes = recovery_codes_issue(user=user)
        access_log_record(user=user, event=AccessEvent.RECOVERY_CODES_RENEWED, ip_address=ip_address)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@dataclass(frozen=True)
class SecondFactorResult:
    device: Device | None
    recovery_code_used: bool = False
    error: str = ""


def second_factor_check(*, user: User, code: str, ip_address: str | None) -> SecondFactorResult:
    """A six-digit code is checked against the authenticator; anything else as a recovery code.

    A wrong code is logged. A recovery code is spent (deleted) when it works.
    """
    code = code_clean(code)
    if not code:
        return SecondFactorResult(device=None, error="Enter the code from your authenticator app.")
    if code.isdigit() and len(code) == 6:
        device, recovery = totp_device_of(user), False
    else:
        device, recovery = recovery_device_of(user), True
    if device is None:
        why = "You have no recovery codes left." if recovery else "Set up your authenticator app first."
        accepted = False
    else:
        accepted, why = code_verify(device=device, code=code)
    if not accepted:
        access_log_record(user=user, event=AccessEvent.SECOND_FACTOR_FAILED, ip_address=ip_address,
                          detail=("recovery code: " if recovery else "authenticator code: ") + why)
        return SecondFactorResult(device=None, error=why)
    if recovery:
        access_log_record(user=user, event=AccessEvent.RECOVERY_CODE_USED, ip_address=ip_address,
                          detail=f"{recovery_codes_left(user)} recovery codes left")
    return SecondFactorResult(device=device, recovery_code_used=recovery)


@transaction.atomic
def two_factor_reset(*, user: User, by: User | None, reason: str, ip_address: str | None = None) -> None:
    """An administrator's reset for a lost phone: remove every device and end the user's sessions.

    The user sets up a new authenticator at their next sign-in. Recorded in the access log with
    who did it and why.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the two-factor sign-in is being reset (e.g. phone lost, ticket 123).")
    if by is not None and by.role != Role.ADMIN:
        raise Forbidden("Only an administrator may reset another person's two-factor sign-in.")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    ended = sessions_end_all(user=user)
    access_log_record(
        user=by, username="manage.py" if by is None else "", event=AccessEvent.TWO_FACTOR_RESET,
        object_label="user", object_ref=user.username, ip_address=ip_address,
        detail=f"{reason[:400]} ({ended} sessions ended)",
    )
