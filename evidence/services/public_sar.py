"""Subject access requests from the public page, and staff confirming the requester's identity.

A member of the public asks for footage of themselves (UK GDPR Art 15) on the scheme's online form
(only while the council publishes its scheme with the intake switched on). The request is made like
any other (evidence.services.requests.request_write: reference, deadlines, first custody event) but
with no user behind it: requester_name and requester_contact say who, and the identity is
unverified until staff have seen proof of it.

Identity and the one-month clock (ICO, right of access: "the period for responding begins when you
receive the additional information"): the form asks for proof of identity at once, so the clock
waits for it from the day the request arrives. When staff confirm the identity
(sar_identity_verify) the wait is recorded as a SAR clock pause ending on the day the proof
arrived, and the due date moves on by those days, as if staff had paused and resumed the clock
themselves (evidence.services.requests.sar_clock_pause and sar_clock_resume); a pause staff already
opened is resumed instead.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.exceptions import DomainError, InvalidInput, NotVisible, WrongState
from accounts.models import AccessLogEntry, User
from accounts.permissions import authorize
from accounts.services import access_log_record
from cctv.models import Camera, Scheme
from cctv.open_data import scheme_public_cameras
from cctv.sla import LONDON
from evidence.choices import REQUEST_STATES_FINAL, CustodyEventType, DeadlineKind, LegalBasis, RequestKind, Urgency
from evidence.custody import custody_event_append
from evidence.deadlines import deadlines_store
from evidence.models import Deadline, EvidenceRequest, SarClockPause
from evidence.services.requests import _kind_fields_check, _texts_clean, incident_window_check, request_write

logger = logging.getLogger(__name__)

# First key of pg_advisory_xact_lock(int, int) for the per-address count ("SAR"); the second is the address's hash.
THROTTLE_LOCK = 0x534152
THROTTLE_WINDOW = dt.timedelta(hours=1)
CHANNEL = "public form"
PUBLIC_SAR_REASON = "Subject access request made on the public page: footage of the requester (UK GDPR Art 15)."
IDENTITY_WAIT_REASON = "Waiting for proof of identity (asked for when the request was made)"
NOTE_LIMIT = 300


class SubmissionsThrottled(DomainError):
    """Too many requests from one address in the last hour (429)."""

    status_code = 429


def intake_scheme_get(scheme_id: int) -> Scheme:
    """A scheme whose online form is open: published with the intake on. Anything else is not found (404)."""
    scheme = (Scheme.objects.select_related("owner")
              .filter(pk=scheme_id, published=True, sar_intake_enabled=True).first())
    if scheme is None:
        raise NotVisible("There is no online subject access request form here.")
    return scheme


def _throttle(ip_address: str | None, *, now: dt.datetime) -> None:
    """Refuse a submission past the hourly limit for the address.

    The count and the write that follows are serialised per address by a transaction-level advisory
    lock, so a burst of parallel posts cannot all read the same count and all get through.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [THROTTLE_LOCK, ip_address or ""])
    limit = settings.PUBLIC_SAR_PER_ADDRESS_PER_HOUR
    recent = AccessLogEntry.objects.filter(event=AccessEvent.PUBLIC_SAR, ip_address=ip_address,
                                           at__gte=now - THROTTLE_WINDOW).count()
    if recent >= limit:
        raise SubmissionsThrottled(f"This address has sent {recent} requests in the last hour, the most we take "
                                   "online. Please try again later, or write to the address on the page.")


def _contact(email: str, postal_address: str) -> str:
    email, postal_address = (email or "").strip(), (postal_address or "").strip()
    if not email and not postal_address:
        raise InvalidInput("Give an email address or a postal address, so that we can reply to you.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(f"{email[:60]!r} is not an email address.") from None
    parts = [f"email: {email}" if email else "", f"post: {postal_address}" if postal_address else ""]
    return "; ".join(part for part in parts if part)


def _camera_chosen(scheme: Scheme, camera_id: int | None) -> tuple[list[Camera], int]:
    """The camera named (one of the scheme's public cameras, or none) and the retention that applies."""
    public = scheme_public_cameras(scheme)
    if not public:
        raise InvalidInput("This scheme has no cameras in service.")
    if camera_id is None:
        return [], max(camera.retention_days for camera in public)
    camera = next((camera for camera in public if camera.pk == camera_id), None)
    if camera is None:
        raise InvalidInput("Choose a camera from the list, or leave it empty and say where you were.")
    return [camera], camera.retention_days


def _retention_check(*, ends_at: dt.datetime, retention_days: int, now: dt.datetime) -> None:
    horizon = now - dt.timedelta(days=retention_days)
    if ends_at < horizon:
        raise InvalidInput(
            f"Footage from then has already been overwritten: the cameras keep recordings for {retention_days} days, "
            f"so the oldest footage still held is from {horizon.astimezone(LONDON):%-d %B %Y %H:%M}.")


@transaction.atomic
def public_sar_submit(
    *, scheme: Scheme, requester_name: str, email: str, postal_address: str, window_starts_at: dt.datetime,
    window_ends_at: dt.datetime, location_description: str, description_of_person: str, consent: bool,
    ip_address: str | None, camera_id: int | None = None, now: dt.datetime | None = None,
) -> EvidenceRequest:
    """Record a subject access request from the public form, identity verification pending.

    All or nothing: the request, its deadlines, its first custody event (no actor; detail says the
    public form) and the access-log entry the throttle counts are written together, or nothing is.
    """
    now = now or timezone.now()
    scheme = intake_scheme_get(scheme.pk)
    _throttle(ip_address, now=now)
    if not consent:
        raise InvalidInput("Tick the declaration: the request is for footage of yourself and the details are true.")
    texts = _texts_clean(requester_name=requester_name, requester_contact=_contact(email, postal_address),
                         description_of_person=description_of_person, location_description=location_description,
                         reason=PUBLIC_SAR_REASON, crime_reference="")
    if not texts["location_description"]:
        raise InvalidInput("Say where you were: a street, a landmark, or a camera from the list.")
    if not texts["description_of_person"]:
        raise InvalidInput("Describe yourself as you were then (clothes, anyone with you), so we can find you in "
                           "the footage.")
    _kind_fields_check(kind=RequestKind.SAR, legal_basis=LegalBasis.UK_GDPR_ART15, urgency=Urgency.ROUTINE,
                       texts=texts)
    incident_window_check(starts_at=window_starts_at, ends_at=window_ends_at, now=now)
    cameras, retention_days = _camera_chosen(scheme, camera_id)
    _retention_check(ends_at=window_ends_at, retention_days=retention_days, now=now)
    request = request_write(
        owner=scheme.owner, by=None, kind=RequestKind.SAR, legal_basis=LegalBasis.UK_GDPR_ART15,
        incident_starts_at=window_starts_at, incident_ends_at=window_ends_at, location=None,
        urgency=Urgency.ROUTINE, cameras=cameras, texts=texts, received_at=now, now=now,
        custody_detail={"channel": CHANNEL},
    )
    # No personal data in the access log: the reference says which request, the address is for the throttle.
    access_log_record(event=AccessEvent.PUBLIC_SAR, object_label="evidence request", object_ref=request.reference,
                      ip_address=ip_address)
    logger.info("public sar submitted id=%s ref=%s owner=%s", request.pk, request.reference, scheme.owner_id)
    return request


# --- identity ------------------------------------------------------------------------------------

def _note_checked(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise InvalidInput("Say what proof of identity was seen (e.g. 'passport and a utility bill, by post').")
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"The note is {len(note)} characters long; the limit is {NOTE_LIMIT}.")
    return note


@transaction.atomic
def sar_identity_verify(*, request: EvidenceRequest, by: User, note: str,
                        proof_received_on: dt.date | None = None) -> EvidenceRequest:
    """Record that staff have seen proof of the requester's identity; the SAR clock then runs.

    The wait for the proof, from the day the request arrived (or the clock last resumed) to the day
    the proof arrived, becomes a clock pause, so the one-month deadline counts from the proof (ICO);
    a pause staff opened while waiting is resumed on that day instead. The custody event is the
    record of who confirmed the identity, on what proof.
    """
    request = EvidenceRequest.objects.select_for_update().get(pk=request.pk)
    authorize(by, "verify_identity", request)
    if request.kind != RequestKind.SAR:
        raise InvalidInput(f"{request.reference} is not a subject access request; only a SAR waits for the "
                           "requester's identity.")
    if request.identity_verified_at is not None:
        raise WrongState(f"The identity of the requester of {request.reference} was already verified on "
                         f"{request.identity_verified_at.astimezone(LONDON):%-d %B %Y %H:%M}.")
    sar_due = Deadline.objects.filter(request=request, kind=DeadlineKind.SAR_DUE).first()
    if request.state in REQUEST_STATES_FINAL or (sar_due is not None and sar_due.met_at is not None):
        raise WrongState(f"{request.reference} has been answered or closed; there is no identity left to verify.")
    note = _note_checked(note)
    today = timezone.localdate()
    proof_received_on = proof_received_on or today
    received_on = request.received_at.astimezone(LONDON).date()
    if proof_received_on > today:
        raise InvalidInput(f"proof_received_on {proof_received_on:%Y-%m-%d} is in the future.")
    if proof_received_on < received_on:
        raise InvalidInput(f"proof_received_on {proof_received_on:%Y-%m-%d} is before the request arrived "
                           f"({received_on:%Y-%m-%d}).")
    pause = _identity_wait_record(request, by=by, until=proof_received_on, received_on=received_on)
    request.identity_verified_at = timezone.now()
    request.save(update_fields=["identity_verified_at"])
    stored = {d.kind: d for d in deadlines_store(request)}
    days_paused = (pause.resumed_on - pause.paused_on).days if pause is not None else 0
    custody_event_append(request=request, event_type=CustodyEventType.CLOCK_RESUMED, actor=by, detail={
        "identity_verified": True, "note": note, "proof_received_on": proof_received_on.isoformat(),
        "paused_on": pause.paused_on.isoformat() if pause is not None else None,
        "resumed_on": proof_received_on.isoformat(), "days_paused": days_paused,
        "due_at": stored[DeadlineKind.SAR_DUE].due_at.isoformat(),
    })
    logger.info("sar identity verified request=%s days_paused=%s user=%s", request.pk, days_paused, by.pk)
    return request


def _identity_wait_record(request: EvidenceRequest, *, by: User, until: dt.date,
                          received_on: dt.date) -> SarClockPause | None:
    """Close the open pause at `until`, or record the wait since the clock last ran; None if it never waited."""
    last = request.clock_pauses.order_by("-paused_on", "-id").first()
    if last is not None and last.resumed_on is None:
        if until < last.paused_on:
            raise InvalidInput(f"proof_received_on {until:%Y-%m-%d} is before the SAR clock was paused "
                               f"({last.paused_on:%Y-%m-%d}).")
        last.resumed_on = until
        last.save(update_fields=["resumed_on"])
        return last
    waited_from = max(received_on, last.resumed_on) if last is not None else received_on
    if until <= waited_from:
        return None
    return SarClockPause.objects.create(request=request, reason=IDENTITY_WAIT_REASON, paused_on=waited_from,
                                        resumed_on=until, paused_by=by)
