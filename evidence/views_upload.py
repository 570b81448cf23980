"""The exhibit upload endpoint: a plain Django view, because the body must stream through our handler.

django-ninja reads request.POST and request.FILES before the endpoint runs (its session
auth's CSRF check does, and so do File parameters), by which time Django's default handlers
have already spooled the file; upload handlers can only be changed before that. This view
authenticates exactly as the API does (bearer token, else a signed-in session with the CSRF
header), checks the request's state and the declared size from the headers alone, and only
then lets the body stream through HashingUploadHandler. Errors are {"detail": ...} as in the API.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from accounts.exceptions import DomainError, Forbidden, InvalidInput, NotVisible, WrongState
from accounts.services import api_token_authenticate
from cctv.models import Camera
from evidence.api.exhibits import ExhibitOut, exhibit_out
from evidence.exceptions import UploadRejected
from evidence.models import EvidenceRequest
from evidence.services.exhibits import NewExhibit, UploadTooLarge, exhibit_register, exhibit_upload_check
from evidence.uploads import MULTIPART_OVERHEAD_BYTES, UPLOAD_FIELD, HashingUploadHandler, exhibit_max_bytes

logger = logging.getLogger(__name__)


class Unauthenticated(Exception):
    pass


class LengthRequired(UploadRejected):
    status_code = 411


class UnsupportedMediaType(UploadRejected):
    status_code = 415


class _HeaderOnlyCsrfView:
    """The request as CsrfViewMiddleware sees it: a PUT, so it checks the X-CSRFToken header and
    never reads request.POST (which would parse the body with Django's default handlers)."""

    method = "PUT"

    def __init__(self, request: HttpRequest):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)


def _authenticated(request: HttpRequest):
    """The same people accounts.auth.API_AUTH lets in: a bearer token, else an active session."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = api_token_authenticate(token.strip())
        if user is not None:
            return user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.role:
        middleware = CsrfViewMiddleware(lambda _: None)
        middleware.process_request(request)
        if middleware.process_view(_HeaderOnlyCsrfView(request), None, (), {}) is not None:
            raise Forbidden("CSRF check failed: a signed-in browser must send the X-CSRFToken header to upload.")
        return user
    raise Unauthenticated()


def _declared_length_check(request: HttpRequest) -> None:
    if not request.content_type.startswith("multipart/form-data"):
        raise UnsupportedMediaType(f"Send the exhibit as multipart/form-data with the file in the field "
                                   f"'{UPLOAD_FIELD}'.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        raise LengthRequired("Send a Content-Length: uploads cannot use chunked transfer encoding.") from None
    limit = exhibit_max_bytes()
    if declared > limit + MULTIPART_OVERHEAD_BYTES:
        raise UploadTooLarge(f"The upload declares {declared:,} bytes; the limit for one exhibit is {limit:,} bytes.")


def _when(fields, name: str):
    raw = (fields.get(name) or "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        raise InvalidInput(f"{name} must be a date and time in ISO 8601, e.g. 2026-03-01T22:15:00+00:00.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _new_exhibit(fields) -> NewExhibit:
    camera = None
    if camera_ref := (fields.get("camera_id") or "").strip():
        camera = Camera.objects.filter(pk=int(camera_ref)).first() if camera_ref.isdigit() else None
        if camera is None:
            raise InvalidInput(f"There is no camera with id {camera_ref!r}.")
    master = (fields.get("is_master_copy") or "true").strip().lower()
    if master not in ("true", "false", "1", "0"):
        raise InvalidInput("is_master_copy is true or false.")
    return NewExhibit(kind=(fields.get("kind") or "footage").strip(), description=fields.get("description", ""),
                      camera=camera, recorded_from=_when(fields, "recorded_from"),
                      recorded_to=_when(fields, "recorded_to"), is_master_copy=master in ("true", "1"))


def _receive(request: HttpRequest, handler: HashingUploadHandler):
    """Parse the body through the handler; a half-written file is removed whatever goes wrong."""
    try:
        files, fields = request.FILES, request.POST
    except UnreadablePostError:
        handler.discard()
        raise UploadRejected("The upload was interrupted before it finished; nothing was kept.") from None
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
        handler.discard()
        raise UploadRejected(f"The body is not a well-formed exhibit upload: {exc}") from None
    except BaseException:
        handler.discard()
        raise
    if handler.refusal:
        refused = UploadRejected(handler.refusal)
        refused.status_code = handler.refusal_status  # 400 cut short, 413 too large, 507 no space
        raise refused
    upload = files.get(UPLOAD_FIELD)
    if upload is None:
        raise UploadRejected(f"No file received: send it in the multipart field '{UPLOAD_FIELD}' with a file name.")
    return upload, fields


@csrf_exempt
def exhibit_upload(request: HttpRequest, request_id: int) -> JsonResponse:
    """POST /api/evidence/exhibits/upload/<request_id>: stream one file in, hash it, register it."""
    if request.method != "POST":
        return JsonResponse({"detail": "Upload with POST."}, status=405, headers={"Allow": "POST"})
    try:
        user = _authenticated(request)
        evidence_request = EvidenceRequest.objects.filter(pk=request_id).first()
        if evidence_request is None:
            raise NotVisible("No such request.")
        exhibit_upload_check(request=evidence_request, by=user)
        _declared_length_check(request)
        handler = HashingUploadHandler(request)
        request.upload_handlers = [handler]
        upload, fields = _receive(request, handler)
        try:
            new = _new_exhibit(fields)
        except BaseException:
            upload.close()  # deletes the received file: nothing is kept from a refused upload
            raise
        exhibit = exhibit_register(request=evidence_request, upload=upload, by=user, new=new)
    except Unauthenticated:
        return JsonResponse({"detail": "Authentication required: sign in or send a valid bearer token."}, status=401)
    except NotVisible as exc:
        return JsonResponse({"detail": exc.detail}, status=404)
    except Forbidden as exc:
        return JsonResponse({"detail": exc.detail}, status=403)
    except DomainError as exc:
        body = {"detail": exc.detail}
        if isinstance(exc, WrongState):
            body["allowed"] = exc.allowed
        return JsonResponse(body, status=exc.status_code)
    return JsonResponse(ExhibitOut(**exhibit_out(exhibit)).model_dump(mode="json"), status=201)
