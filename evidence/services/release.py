"""Releasing evidence: bundles asked for, the release with its disclosure, receipts, and the disclosure log.

Every release to a third party is recorded as a Disclosure (who, what, when, on what basis,
approved by whom) together with the chain head just after the release event, so the receipt
the recipient keeps anchors the custody log outside our database (DESIGN.md 5).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.exceptions import Forbidden, InvalidInput, NotVisible, WrongState
from accounts.models import Organisation, User
from accounts.permissions import authorize, can, visible_to
from accounts.services import access_log_record
from config.queue import task_send_on_commit
from evidence.bundles import bundle_exhibit_ids, bundle_exhibits_chosen
from evidence.choices import BundleStatus, CustodyEventType, RequestKind, RequestState
from evidence.custody import custody_event_append
from evidence.models import Disclosure, EvidenceRequest, Exhibit, ReleaseBundle
from evidence.tasks_bundles import bundle_build_task
from evidence.workflow import transition

logger = logging.getLogger(__name__)

# A bundle holds exported footage, so it can be built from export until the case is released.
BUNDLE_STATES = (RequestState.EXPORTED, RequestState.READY_FOR_COLLECTION, RequestState.RELEASED)
SAR_CHOICE_NEEDED = (
    "Choose the exhibits for a subject access request (normally the redacted copies): its release is never made "
    "of every exhibit by default, because footage may show other people."
)


@transaction.atomic
def bundle_request(*, request: EvidenceRequest, by: User, exhibit_ids: list[int] | None = None) -> ReleaseBundle:
    """Create the bundle row and send its build to a worker once this transaction commits.

    If the queue cannot take the build, the row is deleted again and QueueUnavailable (503) raised.
    """
    request = EvidenceRequest.objects.select_for_update().get(pk=request.pk)
    authorize(by, "build_bundle", request)
    if request.state not in BUNDLE_STATES:
        raise WrongState(
            f"Request {request.reference} is {request.get_state_display().lower()}; a bundle can be built only once "
            "its footage is exported (exported, ready for collection or released)."
        )
    if request.kind == RequestKind.SAR and exhibit_ids is None:
        raise InvalidInput(SAR_CHOICE_NEEDED)
    if exhibit_ids is not None:
        exhibit_ids = sorted(set(exhibit_ids))
    bundle_exhibits_chosen(request, exhibit_ids)  # bad input is a 400 now, not a failed bundle later
    bundle = ReleaseBundle.objects.create(request=request, requested_by=by, status=BundleStatus.BUILDING)
    task_send_on_commit(bundle_build_task, args=(bundle.pk, exhibit_ids), what=f"the bundle of {request.reference}",
                        undo=ReleaseBundle.objects.filter(pk=bundle.pk, status=BundleStatus.BUILDING).delete)
    logger.info("bundle=%s requested request=%s user=%s", bundle.pk, request.pk, by.pk)
    return bundle


def _latest_ready_bundle(request: EvidenceRequest) -> ReleaseBundle | None:
    return request.bundles.filter(status=BundleStatus.READY).order_by("-built_at", "-pk").first()


def _exhibits_released(request: EvidenceRequest, exhibits: list[Exhibit | int] | None) -> list[Exhibit]:
    """Those chosen (exhibits or their ids); else those in the latest ready bundle; else every one not disposed of."""
    if exhibits is not None:
        return bundle_exhibits_chosen(request, [item if isinstance(item, int) else item.pk for item in exhibits])
    bundle = _latest_ready_bundle(request)
    if bundle is not None:
        return bundle_exhibits_chosen(request, bundle_exhibit_ids(bundle))
    if request.kind == RequestKind.SAR:
        raise InvalidInput(SAR_CHOICE_NEEDED)
    return bundle_exhibits_chosen(request)


@transaction.atomic
def request_release(*, request: EvidenceRequest, by: User, recipient_name: str,
                    recipient_organisation: Organisation | None = None, method: str = "download",
                    exhibits: list[Exhibit | int] | None = None) -> Disclosure:
    """Release the footage to a third party: the 'release' move and its Disclosure, in one transaction.

    The permission module lets only the CCTV manager (or an admin) release, so the person who
    releases is the one who approves. The recipient organisation defaults to the requesting one.
    """
    authorize(by, "release", request)
    recipient_name = (recipient_name or "").strip()
    method = (method or "").strip()
    if not recipient_name or len(recipient_name) > 200:
        raise InvalidInput("recipient_name: give the name of the person the footage is released to (200 characters "
                           "at most).")
    if not method or len(method) > 100:
        raise InvalidInput("method: say how the footage is handed over, e.g. 'download' (100 characters at most).")
    organisation = recipient_organisation or request.requester_organisation
    chosen = _exhibits_released(request, exhibits)
    request = transition(request=request, move="release", by=by, by_service=True, detail={
        "recipient": recipient_name, "recipient_organisation": organisation.name if organisation else "",
        "method": method, "exhibits": [exhibit.reference for exhibit in chosen],
    })
    # transition's custody append holds the chain's lock until this transaction commits, so the
    # release event is still the head here.
    head = request.custody_events.order_by("-sequence").only("hash", "at").first()
    disclosure = Disclosure.objects.create(
        request=request, recipient_name=recipient_name, recipient_organisation=organisation,
        legal_basis=request.legal_basis, released_at=head.at, released_by=by, approved_by=by, method=method,
        chain_head=head.hash,
    )
    disclosure.exhibits.set(chosen)
    logger.info("disclosure=%s request=%s exhibits=%s user=%s", disclosure.pk, request.pk, len(chosen), by.pk)
    return disclosure


def _person(user: User) -> str:
    return user.get_full_name() or user.username


def release_receipt_text(disclosure: Disclosure) -> str:
    """The receipt the recipient keeps: what was released, with hashes, and the chain head after release."""
    request = disclosure.request
    recipient = disclosure.recipient_name
    if disclosure.recipient_organisation_id:
        recipient += f", {disclosure.recipient_organisation.name}"
    lines = [
        "RELEASE RECEIPT",
        f"{request.owner.name}: disclosure {disclosure.pk} of evidence request {request.reference} "
        f"({request.get_kind_display()})",
    ]
    if request.crime_reference:
        lines.append(f"Crime or incident reference: {request.crime_reference}")
    lines += [
        f"Legal basis: {disclosure.get_legal_basis_display()}",
        f"Released to: {recipient}",
        f"Method: {disclosure.method}",
        f"Released: {timezone.localtime(disclosure.released_at):%d %b %Y %H:%M:%S %Z}",
        f"Approved and released by: {_person(disclosure.approved_by)}",
        "",
        "Exhibits released:",
    ]
    for exhibit in disclosure.exhibits.order_by("reference"):
        copy = "master" if exhibit.is_master_copy else "working"
        lines += [f"  {exhibit.reference}: {exhibit.get_kind_display()}, {copy} copy, {exhibit.size_bytes:,} bytes",
                  f"      SHA-256 {exhibit.sha256}"]
    lines += [
        "",
        f"Custody chain head after the release: {disclosure.chain_head}",
        "",
        "Keep this receipt. The chain head is the hash of the custody log's latest event at the moment of",
        "release; the log can be recomputed at any time and must still pass through this value, so it cannot",
        "be rewritten without this receipt showing it.",
        "",
        "Received by: ______________________________   Date: ______________",
    ]
    return "\n".join(lines) + "\n"


def disclosures_visible_to(user: User) -> QuerySet[Disclosure]:
    """The disclosure log for auditors and managers: every release the user's councils made, newest first."""
    authorize(user, "view", Disclosure)
    return (visible_to(user, Disclosure.objects.all())
            .select_related("request__owner", "recipient_organisation", "released_by", "approved_by")
            .prefetch_related("exhibits").order_by("-released_at", "-pk"))


def bundle_for_download(*, bundle_id: int, user: User) -> ReleaseBundle:
    """The bundle, if this user may download it now.

    Whoever may build bundles for the request (its handlers) may fetch one to check it; anyone
    else (the police) only once every exhibit in it has been released to their organisation.
    """
    bundle = ReleaseBundle.objects.select_related("request").filter(pk=bundle_id).first()
    if bundle is None:
        raise NotVisible()
    authorize(user, "download_exhibit", bundle.request)
    if bundle.status != BundleStatus.READY:
        reason = f": {bundle.error}" if bundle.error else ""
        raise WrongState(f"Bundle {bundle.pk} is {bundle.get_status_display().lower()}{reason}; only a ready bundle "
                         "can be downloaded.")
    if not can(user, "build_bundle", bundle.request):
        released = set(Disclosure.objects.filter(request_id=bundle.request_id,
                                                 recipient_organisation_id=user.organisation_id)
                       .values_list("exhibits", flat=True))
        if not released or not set(bundle_exhibit_ids(bundle)) <= released:
            raise Forbidden(f"Bundle {bundle.pk} has not been released to your organisation; it can be downloaded "
                            "once the CCTV manager releases it.")
    return bundle


@transaction.atomic
def bundle_download_record(*, bundle: ReleaseBundle, user: User, ip_address: str | None) -> None:
    """Footage leaving the service: an access-log entry per exhibit and a custody event for the bundle."""
    exhibits = Exhibit.objects.filter(pk__in=bundle_exhibit_ids(bundle)).order_by("reference")
    for exhibit in exhibits:
        access_log_record(event=AccessEvent.DOWNLOADED, user=user, object_label="exhibit",
                          object_ref=f"{bundle.request.reference} {exhibit.reference}", ip_address=ip_address,
                          detail=f"in release bundle {bundle.pk}, SHA-256 {bundle.sha256}")
    custody_event_append(request=bundle.request, event_type=CustodyEventType.DOWNLOADED, actor=user, detail={
        "bundle_id": bundle.pk, "bundle_sha256": bundle.sha256, "exhibits": [e.reference for e in exhibits],
    })
