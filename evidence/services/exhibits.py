"""Exhibits: registering an upload, streaming a download, making a working copy (DESIGN.md 2C, 5).

Every exhibit is created with its custody event in one transaction. The file is moved into
storage inside that transaction and removed again if it fails, so there is never a file
without an exhibit nor an exhibit without a file. Files are named by the service; the
uploader's file name is kept only as sanitised metadata.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.exceptions import DomainError, Forbidden, InvalidInput, NotVisible, WrongState
from accounts.models import User
from accounts.permissions import authorize, can
from accounts.services import access_log_record
from cctv.models import Camera
from evidence.choices import CustodyEventType, ExhibitKind, RequestState
from evidence.custody import custody_event_append
from evidence.exceptions import UploadRejected
from evidence.models import EvidenceRequest, Exhibit
from evidence.redaction import Rectangle, rectangles_parse, redacted_png, still_format_check, still_open
from evidence.uploads import UPLOAD_CHUNK_BYTES, HashedUpload, hashed_upload_from_chunks

logger = logging.getLogger(__name__)

# Exhibits are added while the footage is being found and exported; after that the case's
# evidence is fixed (a release must not change under the recipient's feet).
UPLOAD_STATES = (RequestState.SEARCHING, RequestState.FOOTAGE_FOUND, RequestState.EXPORTED)
UPLOAD_KINDS = (ExhibitKind.FOOTAGE, ExhibitKind.STILL)
# Footage leaves the data controller only by release: until then only the people who work
# on the case (those who may add exhibits to it) may download it.
RELEASED_STATES = (RequestState.RELEASED,)
# Seven years: the Limitation Act 1980 (s.2, s.5) gives six years to bring most civil claims
# (insurers and solicitors are requesters), plus a year to serve and disclose. Criminal cases
# are covered by the police's own copy under the CPIA 1996 Code (para 5.8); a prosecution,
# appeal or unsolved serious crime that needs the master longer gets a legal hold.
# 2,557 days = 7 x 365 + 2 leap days, so never short of seven calendar years.
DEFAULT_RETENTION_DAYS = 2557
SAFE_CONTENT_TYPES = re.compile(r"^(video/[\w.+-]+|image/(jpeg|png)|application/(octet-stream|zip))$")


class UploadTooLarge(UploadRejected):
    status_code = 413


class ExhibitGone(DomainError):
    """The exhibit was destroyed under the retention schedule (410)."""

    status_code = 410


class ExhibitIntegrityError(WrongState):
    """The stored bytes no longer match the exhibit's SHA-256: nothing may be made from them."""


def retention_days() -> int:
    return int(getattr(settings, "EXHIBIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def person_initials(user: User) -> str:
    """JB for John Brown; OP for the username "operator" when no name is recorded."""
    def words(text: str) -> list[str]:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.findall(r"[A-Za-z]+", folded)

    parts = words(f"{user.first_name} {user.last_name}") or words(user.username)
    if not parts:
        return "EX"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def exhibit_reference_next(*, request: EvidenceRequest, by: User) -> str:
    """<initials>/<n>, n counting that person's exhibits on this request. Call with the request locked."""
    initials = person_initials(by)
    taken = Exhibit.objects.filter(request=request, reference__startswith=f"{initials}/").values_list(
        "reference", flat=True)
    numbers = [int(ref.split("/", 1)[1]) for ref in taken if ref.split("/", 1)[1].isdigit()]
    return f"{initials}/{max(numbers, default=0) + 1}"


def exhibit_upload_check(*, request: EvidenceRequest, by: User) -> None:
    """May `by` add an exhibit to `request` now? Asked before the body is read, and again under lock."""
    authorize(by, "upload_exhibit", request)
    if request.state not in UPLOAD_STATES:
        raise WrongState(
            f"Request {request.reference} is {request.get_state_display().lower()}; exhibits are added while it "
            f"is searching, footage found or exported.",
            allowed=[str(state) for state in UPLOAD_STATES],
        )


def _storage_name(*, request: EvidenceRequest, extension: str) -> str:
    return f"exhibits/{timezone.localdate():%Y/%m}/{request.pk}-{uuid.uuid4().hex}.{extension}"


def _extension(original_name: str) -> str:
    suffix = original_name.rsplit(".", 1)[-1].lower() if "." in original_name else ""
    return suffix if re.fullmatch(r"[a-z0-9]{1,8}", suffix) else "bin"


def _content_type(declared: str) -> str:
    declared = (declared or "").strip().lower()
    return declared if SAFE_CONTENT_TYPES.match(declared) else "application/octet-stream"


@dataclass(frozen=True)
class NewExhibit:
    """What the person says about an exhibit; the service supplies reference, hash, name and dates."""

    kind: str = ExhibitKind.FOOTAGE
    description: str = ""
    camera: Camera | None = None
    recorded_from: dt.datetime | None = None
    recorded_to: dt.datetime | None = None
    is_master_copy: bool = True
    derived_from: Exhibit | None = None
    extension: str | None = None  # None: taken from the original file name


def _check_new_exhibit(request: EvidenceRequest, new: NewExhibit) -> None:
    # Refused, not cut to fit: an exhibit's description is part of the evidence record; and NUL,
    # which PostgreSQL cannot store, was a 500 after the file had been moved into storage.
    limit = Exhibit._meta.get_field("description").max_length
    if len(new.description) > limit:
        raise InvalidInput(f"description is {len(new.description):,} characters; an exhibit's description is at "
                           f"most {limit}.")
    if "\x00" in new.description:
        raise InvalidInput("description contains a NUL character (\\u0000), which no text field can hold.")
    if new.camera is not None and new.camera.owner_id != request.owner_id:
        raise InvalidInput(f"Camera {new.camera.asset_ref} is not one of {request.owner}'s cameras.")
    if new.recorded_from and new.recorded_to and new.recorded_to < new.recorded_from:
        raise InvalidInput("recorded_to is before recorded_from.")
    if new.is_master_copy and new.camera is None and new.derived_from is None:
        clash = Exhibit.objects.filter(request=request, is_master_copy=True, camera__isnull=True).first()
        if clash is not None:
            raise WrongState(f"{clash.reference} is already this request's master copy with no camera; "
                             "name the camera of this export, or upload it as a non-master copy.")


def exhibit_store(
    *,
    request: EvidenceRequest,
    upload: HashedUpload,
    by: User,
    new: NewExhibit,
    event_type: str = CustodyEventType.HASHED,
    event_detail: dict[str, Any] | None = None,
) -> Exhibit:
    """Move the hashed file into storage and create the exhibit and its custody event, atomically.

    Call it outside any transaction: if the surrounding one rolled back later, the stored
    file would outlive its row. The caller has already authorised `by`.
    """
    storage = Exhibit._meta.get_field("file").storage
    stored_name: str | None = None
    try:
        with transaction.atomic():
            request = EvidenceRequest.objects.select_for_update().get(pk=request.pk)
            _check_new_exhibit(request, new)
            reference = exhibit_reference_next(request=request, by=by)
            extension = new.extension or _extension(upload.original_name)
            # A rename when the temp dir shares MEDIA_ROOT's filesystem (FileSystemStorage moves
            # anything with temporary_file_path()); a streamed copy for other storage.
            stored_name = storage.save(_storage_name(request=request, extension=extension), upload)
            derived_from = new.derived_from
            exhibit = Exhibit.objects.create(
                request=request, reference=reference, kind=new.kind, description=new.description,
                is_master_copy=new.is_master_copy, camera=new.camera, recorded_from=new.recorded_from,
                recorded_to=new.recorded_to, file=stored_name, original_filename=upload.original_name,
                content_type=_content_type(upload.content_type), size_bytes=upload.size, sha256=upload.sha256,
                derived_from=derived_from, created_by=by,
                # A copy or redaction goes with its original; a new export keeps the full period.
                disposal_on=(derived_from.disposal_on if derived_from is not None
                             else timezone.localdate() + dt.timedelta(days=retention_days())),
            )
            detail = {"size_bytes": upload.size, "kind": new.kind, "is_master_copy": new.is_master_copy,
                      **({"original_filename": upload.original_name} if upload.original_name else {}),
                      **({"derived_from": derived_from.reference} if derived_from is not None else {}),
                      **(event_detail or {})}
            custody_event_append(request=request, event_type=event_type, actor=by, exhibit=exhibit, detail=detail)
    except BaseException:
        if stored_name is not None:
            storage.delete(stored_name)
        raise
    finally:
        upload.close()  # deletes the temp file if it was not moved
    logger.info("exhibit stored request=%s exhibit=%s bytes=%s user=%s", request.pk, exhibit.pk, upload.size, by.pk)
    return exhibit


def exhibit_register(*, request: EvidenceRequest, upload: HashedUpload, by: User, new: NewExhibit) -> Exhibit:
    """Register an uploaded footage export or still, hashed as it streamed in."""
    try:
        exhibit_upload_check(request=request, by=by)
        if new.kind not in UPLOAD_KINDS:
            raise InvalidInput(f"Upload kind is one of {', '.join(UPLOAD_KINDS)}; redacted stills are made here.")
        if new.derived_from is not None:
            raise InvalidInput("An upload is an original; copies and redactions are made by the service.")
        if upload.size == 0:
            raise UploadRejected("The file is empty.")
        if new.kind == ExhibitKind.STILL:
            extension, upload.content_type = still_format_check(upload.path)
            new = NewExhibit(**{**new.__dict__, "extension": extension})
    except BaseException:
        upload.close()
        raise
    return exhibit_store(request=request, upload=upload, by=by, new=new)


def exhibit_for(user: User, exhibit_id: int) -> Exhibit:
    """The exhibit if the user may see its request (404 otherwise, as for another force's case)."""
    exhibit = Exhibit.objects.select_related("request", "camera", "derived_from", "created_by").filter(
        pk=exhibit_id).first()
    if exhibit is None:
        raise NotVisible("No such exhibit.")
    authorize(user, "view", exhibit.request)
    return exhibit


def exhibits_of(*, request: EvidenceRequest, by: User):
    authorize(by, "view", request)
    return request.exhibits.select_related("camera", "derived_from", "created_by").order_by("created_at", "pk")


@dataclass(frozen=True)
class ExhibitDownload:
    exhibit: Exhibit
    stream: IO[bytes]
    filename: str
    content_type: str


def _download_filename(exhibit: Exhibit) -> str:
    extension = exhibit.file.name.rsplit(".", 1)[-1] if "." in exhibit.file.name else "bin"
    name = f"{exhibit.request.reference}_{exhibit.reference.replace('/', '-')}.{extension}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def exhibit_download_open(exhibit: Exhibit, *, by: User, ip_address: str | None = None) -> ExhibitDownload:
    """Open an exhibit for download, logged in the access log and the custody chain.

    Police may download once the request is released, and only their own force's (the
    permission scope); the council's staff may handle footage before release. The log is
    written when the download starts: a download that fails half-way is still recorded.
    """
    request = exhibit.request
    authorize(by, "download_exhibit", request)
    if request.state not in RELEASED_STATES and not can(by, "upload_exhibit", request):
        raise Forbidden(f"Footage of {request.reference} can be downloaded once the request has been released.")
    if exhibit.disposed_at is not None:
        raise ExhibitGone(f"Exhibit {exhibit.reference} was destroyed on {timezone.localdate(exhibit.disposed_at)} "
                          "under the retention schedule.")
    stream = exhibit.file.open("rb")
    try:
        with transaction.atomic():
            access_log_record(event=AccessEvent.DOWNLOADED, user=by, object_label="exhibit",
                              object_ref=f"{request.reference} {exhibit.reference}", ip_address=ip_address)
            custody_event_append(request=request, event_type=CustodyEventType.DOWNLOADED, actor=by, exhibit=exhibit,
                                 detail={"size_bytes": exhibit.size_bytes})
    except BaseException:
        stream.close()
        raise
    logger.info("exhibit downloaded exhibit=%s user=%s", exhibit.pk, by.pk)
    return ExhibitDownload(exhibit=exhibit, stream=stream, filename=_download_filename(exhibit),
                           content_type=_content_type(exhibit.content_type))


def stored_chunks(exhibit: Exhibit, chunk_bytes: int = UPLOAD_CHUNK_BYTES) -> Iterator[bytes]:
    with exhibit.file.open("rb") as stored:
        while chunk := stored.read(chunk_bytes):
            yield chunk


def stored_sha256(exhibit: Exhibit) -> str:
    digest = hashlib.sha256()
    for chunk in stored_chunks(exhibit):
        digest.update(chunk)
    return digest.hexdigest()


def exhibit_working_copy_make(exhibit: Exhibit, *, by: User) -> Exhibit:
    """A non-master copy to work from, so the master is never opened in an editor.

    The copy is streamed while hashed and must hash equal to the master's recorded SHA-256;
    if it does not, the master's bytes have changed and nothing is made (409).
    """
    authorize(by, "upload_exhibit", exhibit.request)
    if not exhibit.is_master_copy:
        raise WrongState(f"{exhibit.reference} is not a master copy; working copies are made from the master.")
    if exhibit.disposed_at is not None:
        raise ExhibitGone(f"Exhibit {exhibit.reference} has been destroyed.")
    copy = hashed_upload_from_chunks(stored_chunks(exhibit), name=exhibit.original_filename or exhibit.file.name,
                                     content_type=exhibit.content_type)
    if copy.sha256 != exhibit.sha256:
        copy.close()
        logger.error("exhibit hash mismatch exhibit=%s recorded=%s found=%s", exhibit.pk, exhibit.sha256, copy.sha256)
        raise ExhibitIntegrityError(f"The stored bytes of {exhibit.reference} no longer match its SHA-256; no copy "
                                    "was made. Report this to the CCTV manager.")
    new = NewExhibit(kind=exhibit.kind, description=f"Working copy of {exhibit.reference}"[:300],
                     camera=exhibit.camera, recorded_from=exhibit.recorded_from, recorded_to=exhibit.recorded_to,
                     is_master_copy=False, derived_from=exhibit,
                     extension=_extension(exhibit.file.name))
    return exhibit_store(request=exhibit.request, upload=copy, by=by, new=new,
                         event_detail={"working_copy_of": exhibit.reference, "verified_sha256": copy.sha256})


REDACTABLE_KINDS = (ExhibitKind.STILL, ExhibitKind.REDACTED_STILL)


def exhibit_redact(exhibit: Exhibit, *, rectangles: list[dict[str, Any]], by: User) -> Exhibit:
    """A redacted copy of a still (kind redacted_still, derived from it), with the rectangles in custody.

    The original is read, checked against its recorded SHA-256 and never written: the
    redaction is a new exhibit with its own hash.
    """
    authorize(by, "redact", exhibit.request)
    if exhibit.kind not in REDACTABLE_KINDS:
        raise InvalidInput(f"{exhibit.reference} is {exhibit.get_kind_display().lower()}; only stills are redacted.")
    if exhibit.disposed_at is not None:
        raise ExhibitGone(f"Exhibit {exhibit.reference} has been destroyed.")
    data = b"".join(stored_chunks(exhibit))
    if hashlib.sha256(data).hexdigest() != exhibit.sha256:
        raise ExhibitIntegrityError(f"The stored bytes of {exhibit.reference} no longer match its SHA-256; it was "
                                    "not redacted. Report this to the CCTV manager.")
    image = still_open(data)
    areas: list[Rectangle] = rectangles_parse(rectangles, width_px=image.width, height_px=image.height)
    png = redacted_png(image, areas)
    upload = hashed_upload_from_chunks([png], name=f"{exhibit.reference.replace('/', '-')}-redacted.png",
                                       content_type="image/png")
    new = NewExhibit(kind=ExhibitKind.REDACTED_STILL, description=f"Redacted copy of {exhibit.reference}"[:300],
                     camera=exhibit.camera, recorded_from=exhibit.recorded_from, recorded_to=exhibit.recorded_to,
                     is_master_copy=False, derived_from=exhibit, extension="png")
    return exhibit_store(request=exhibit.request, upload=upload, by=by, new=new,
                         event_type=CustodyEventType.REDACTED,
                         event_detail={"redacted_from": exhibit.reference, "original_sha256": exhibit.sha256,
                                       "rectangles": [area.as_dict() for area in areas]})
