"""factory_boy factories for evidence: requests and exhibits, for arranging a test.

They write rows directly. When the behaviour under test is a service's (deadlines, custody
events, hashing an upload), call the service instead. A request made here has no custody
events; EvidenceRequestFactory(with_created_event=True) appends the 'created' event through
the real custody service.
"""

import datetime as dt
import hashlib

import factory
from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from evidence.choices import ExhibitKind, LegalBasis, RequestKind, RequestState, Urgency
from evidence.models import EvidenceRequest, Exhibit
from tests.accounts.factories import OrganisationFactory, UserFactory


class EvidenceRequestFactory(factory.django.DjangoModelFactory):
    """A routine police request to a council, about an incident two days ago near Barry Island."""

    class Meta:
        model = EvidenceRequest
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"ER-2026-{n + 1:05d}")
    owner = factory.SubFactory(OrganisationFactory)
    requester = factory.SubFactory(UserFactory, role=Role.POLICE_REQUESTER)
    requester_organisation = factory.LazyAttribute(lambda o: o.requester.organisation if o.requester else None)
    kind = RequestKind.POLICE_INVESTIGATION
    legal_basis = LegalBasis.DPA_SCH2_PARA2
    crime_reference = factory.Sequence(lambda n: f"62/{n:05d}/26")
    incident_starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2, hours=1))
    incident_ends_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=2))
    location = factory.LazyFunction(lambda: Point(311540, 166600, srid=27700))
    reason = "Assault outside licensed premises; identify the suspect."
    urgency = Urgency.ROUTINE
    state = RequestState.SUBMITTED
    state_changed_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def with_created_event(self, create, extracted, **kwargs):
        if create and extracted:
            from evidence.choices import CustodyEventType
            from evidence.custody import custody_event_append

            with transaction.atomic():
                custody_event_append(request=self, event_type=CustodyEventType.CREATED, actor=self.requester)


class ExhibitFactory(factory.django.DjangoModelFactory):
    """A small master footage export whose stored hash matches its bytes."""

    class Meta:
        model = Exhibit
        skip_postgeneration_save = True

    request = factory.SubFactory(EvidenceRequestFactory)
    reference = factory.Sequence(lambda n: f"OP/{n + 1}")
    kind = ExhibitKind.FOOTAGE
    description = "Export, camera VOG-004, 22:00-22:30"
    is_master_copy = True
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="export.mp4"))
    size_bytes = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    created_by = factory.SubFactory(UserFactory, role=Role.OPERATOR)

    class Params:
        content = b"not really video, but bytes with a known hash\n"
