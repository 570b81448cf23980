"""Which council's report a user asks for, and its figures as published or as computed now."""

from __future__ import annotations

import datetime as dt

from accounts.choices import OrganisationKind, Role
from accounts.exceptions import InvalidInput, NotVisible
from accounts.models import Organisation
from accounts.permissions import authorize, organisations_visible_to
from reports.figures import monthly_report_figures
from reports.models import MonthlyReport


def report_owner(user, owner_id: str | None) -> Organisation:
    """The council whose report is asked for: ?owner=<id>, else the one council the user works with."""
    authorize(user, "view", MonthlyReport)
    councils = Organisation.objects.filter(kind=OrganisationKind.COUNCIL)
    if user.role != Role.ADMIN:
        councils = councils.filter(pk__in=organisations_visible_to(user))
    if owner_id:
        if not owner_id.isdigit():
            raise InvalidInput(f"owner must be an organisation id; got {owner_id!r}.")
        owner = councils.filter(pk=int(owner_id)).first()
        if owner is None:
            raise NotVisible()
        return owner
    found = list(councils.order_by("pk")[:2])
    if len(found) != 1:
        raise InvalidInput("Choose the council: add ?owner=<organisation id> to the address.")
    return found[0]


def report_figures(owner: Organisation, month: dt.date) -> tuple[list[dict], MonthlyReport | None]:
    """The stored report's figures when there is one (what was published), else computed now."""
    stored = MonthlyReport.objects.filter(owner=owner, month=month).first()
    if stored:
        return stored.figures, stored
    return [figure.as_dict() for figure in monthly_report_figures(owner=owner, month=month)], None
