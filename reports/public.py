"""The public transparency page (/public/) and the published signing key (/public/signing-key.pem).

No sign-in (accounts.middleware lets /public/ through). Surveillance Camera Code, principle 3: where
the cameras are and why, who runs the scheme, how to ask for your images, the latest annual review,
and the key that proves a released bundle came from the council (DESIGN.md 2C). This page reads the
estate only through cctv.open_data, which decides what is public; it lives in reports because it
brings the estate, the reviews and the evidence key together.

The page never creates the signing key: a missing key file is shown as "not yet published", so a
visit to a public page cannot mint a key that differs from the one the council will publish.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cctv.choices import CameraKind, Mounting
from cctv.open_data import PUBLIC_CAMERA_FIELDS, public_camera_rows, published_schemes
from cctv.views.cameras import basemap_settings
from evidence.signing import (
    signer_name,
    signing_key_fingerprint,
    signing_key_path,
    signing_private_key,
    signing_public_key_pem,
)
from reports.review_summary import latest_published_summaries

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishedKey:
    pem: str
    fingerprint: str
    signer: str


def published_signing_key() -> PublishedKey | None:
    """The public half of the evidence signing key, or None while there is none to publish."""
    if not signing_key_path().exists():
        return None
    try:
        private_key = signing_private_key()
    except ImproperlyConfigured:
        # A key file the service refuses (readable by others, not Ed25519) signs nothing either: say
        # the key is not published, and tell the operators why.
        logger.exception("evidence signing key not published: the key file is refused")
        return None
    return PublishedKey(pem=signing_public_key_pem(private_key).decode("ascii"),
                        fingerprint=signing_key_fingerprint(private_key), signer=signer_name())


def _map_settings() -> dict:
    cameras_url = reverse("open_data:cameras_geojson")
    return {
        **basemap_settings(), "camerasUrl": cameras_url, "viewsUrl": f"{cameras_url}?geometry=view",
        "kindLabels": dict(CameraKind.choices), "mountingLabels": dict(Mounting.choices),
    }


@require_GET
def public_page(request: HttpRequest) -> HttpResponse:
    schemes = published_schemes()
    summaries = latest_published_summaries([item.scheme.owner_id for item in schemes])
    kinds = dict(CameraKind.choices)
    cameras = [{**{name: row[name] for name in PUBLIC_CAMERA_FIELDS}, "kind_label": kinds.get(row["kind"], row["kind"])}
               for row in (public_camera_rows() if schemes else [])]
    return render(request, "public/page.html", {
        "schemes": [(item, summaries.get(item.scheme.owner_id)) for item in schemes],
        "cameras": cameras,
        "signing_key": published_signing_key(),
        "map_settings": _map_settings(),
    })


@require_GET
def signing_key_download(request: HttpRequest) -> HttpResponse:
    key = published_signing_key()
    if key is None:
        return HttpResponse("The evidence signing key is not yet published.\n", status=404,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(key.pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="vale-cctv-evidence-signing-key.pem"'
    response["X-Key-Fingerprint"] = key.fingerprint
    return response
