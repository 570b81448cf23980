"""The organisations and people of the Vale demo (DESIGN.md sections 1 and 6)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User


@dataclass(frozen=True)
class DemoOrganisations:
    council: Organisation
    contractor: Organisation
    police: Organisation
    other_police: Organisation
    insurer: Organisation


# username, role, organisation attribute, first name, last name
DEMO_PEOPLE = [
    ("admin", Role.ADMIN, None, "Site", "Administrator"),
    ("manager", Role.CCTV_MANAGER, "council", "Carys", "Morgan"),
    ("operator", Role.OPERATOR, "contractor", "Owen", "Price"),
    ("og", Role.OG_MEMBER, "council", "Gareth", "Lewis"),
    ("officer", Role.POLICE_REQUESTER, "police", "Rhian", "Evans"),
    ("officer.gwent", Role.POLICE_REQUESTER, "other_police", "Tom", "Hughes"),
    ("engineer", Role.ENGINEER, "contractor", "Dylan", "Jones"),
    ("auditor", Role.AUDITOR, "council", "Sian", "Thomas"),
]


@transaction.atomic
def demo_organisations_ensure() -> DemoOrganisations:
    def org(name: str, kind: str) -> Organisation:
        return Organisation.objects.get_or_create(name=name, defaults={"kind": kind})[0]

    council = org("Vale of Glamorgan Council", OrganisationKind.COUNCIL)
    contractor = org("Cardiff Council CCTV Control Room", OrganisationKind.CONTRACTOR)
    police = org("South Wales Police", OrganisationKind.POLICE)
    other_police = org("Gwent Police", OrganisationKind.POLICE)
    insurer = org("Severn Insurance Claims", OrganisationKind.INSURER_SOLICITOR)
    # The Council's estate is seen by the contractor that monitors it and by the force that
    # views it at Barry Police Station; Gwent Police is a stranger to it.
    council.shares_with.add(contractor, police)
    return DemoOrganisations(council, contractor, police, other_police, insurer)


@transaction.atomic
def demo_people_ensure(*, orgs: DemoOrganisations, password: str) -> list[User]:
    people = []
    for username, role, org_attr, first, last in DEMO_PEOPLE:
        organisation = getattr(orgs, org_attr) if org_attr else None
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role, "organisation": organisation, "first_name": first, "last_name": last,
                "email": f"{username}@vale-cctv.example",
                "is_staff": role == Role.ADMIN, "is_superuser": role == Role.ADMIN,
            },
        )
        # The printed demo password must always work, even when the database outlived the
        # credentials file (these are demo accounts, never real people's).
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        people.append(user)
    return people
