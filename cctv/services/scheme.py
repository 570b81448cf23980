"""The council's public statement about its CCTV scheme (Surveillance Camera Code, principle 3).

One Scheme per council. The manager writes it; publishing it puts the scheme, its in-service cameras
and their open data on the public page (cctv.open_data), and the online subject access request form
is offered only while it is published with the intake switched on.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.choices import OrganisationKind
from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from accounts.permissions import authorize
from cctv.models import Scheme

logger = logging.getLogger(__name__)

SCHEME_FIELDS = ("name", "statement", "controller_contact", "sar_instructions", "open_data_licence", "published",
                 "sar_intake_enabled")
TEXT_FIELDS = ("name", "statement", "controller_contact", "sar_instructions", "open_data_licence")
# The model's CharFields carry their own limits; the text fields get one here so a page stays a page.
TEXT_LIMITS = {"statement": 10_000, "sar_instructions": 10_000, "open_data_licence": 2_000}


def scheme_for(owner: Organisation) -> Scheme:
    """The council's scheme, or a new unsaved one (with the OGL wording) for its first statement."""
    return Scheme.objects.filter(owner=owner).select_related("owner").first() or Scheme(owner=owner)


@transaction.atomic
def scheme_save(*, owner: Organisation, by: User, **fields: Any) -> Scheme:
    """Create or change the council's statement; every field is public once the scheme is published.

    Two managers saving at once are serialised (the council's row is locked), so neither save is
    half-applied and the first statement of a council is created once.
    """
    authorize(by, "change", Scheme(owner=owner))
    if owner.kind != OrganisationKind.COUNCIL:
        raise InvalidInput(f"{owner.name} is not a council: a CCTV scheme is run by the council that owns the "
                           "cameras.")
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown scheme fields: {', '.join(sorted(unknown))}.")
    # Locking the council's row serialises the first save too, when there is no scheme row to lock yet.
    Organisation.objects.select_for_update().get(pk=owner.pk)
    scheme = Scheme.objects.filter(owner=owner).first() or Scheme(owner=owner)
    for name, value in fields.items():
        if name in TEXT_FIELDS:
            value = (value or "").strip()
            if len(value) > TEXT_LIMITS.get(name, len(value)):
                raise InvalidInput(f"{name} is {len(value)} characters long; the limit is {TEXT_LIMITS[name]}.")
        setattr(scheme, name, value)
    scheme.updated_by = by
    try:
        scheme.full_clean(exclude=["owner", "updated_by"])
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
                           ) from None
    created = scheme.pk is None
    scheme.save()
    logger.info("scheme %s id=%s owner=%s published=%s sar_intake=%s user=%s", "created" if created else "changed",
                scheme.pk, owner.pk, scheme.published, scheme.sar_intake_enabled, by.pk)
    return scheme
