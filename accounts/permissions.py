"""The one place that decides whether a user may do something (DESIGN.md section 1).

Views, API endpoints, selectors and tasks all ask here; nothing else checks roles or
organisations. Rules are keyed by model label ("cctv.camera") so this module imports no
app above accounts. Two questions are answered:

* `can(user, action, obj)`: may this user do `action` to `obj` (or to that kind of thing)?
* `visible_to(user, queryset)`: the rows of a queryset this user may see.

`authorize` raises NotVisible (404) when the object is outside the user's reach and
Forbidden (403) when it is visible but the action is not theirs, so another
organisation's objects are "not found" rather than "forbidden".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet

from accounts.choices import Role
from accounts.exceptions import Forbidden, NotVisible

MANAGER = Role.CCTV_MANAGER
OPERATOR = Role.OPERATOR
OG = Role.OG_MEMBER
POLICE = Role.POLICE_REQUESTER
ENGINEER = Role.ENGINEER
AUDITOR = Role.AUDITOR
ADMIN = Role.ADMIN

STAFF = frozenset({MANAGER, OPERATOR, OG, ENGINEER, AUDITOR, ADMIN})
ESTATE_READERS = frozenset({MANAGER, OPERATOR, OG, ENGINEER, AUDITOR, ADMIN})
EVERYONE = STAFF | {POLICE}


@dataclass(frozen=True)
class Scope:
    """How rows of one model are limited to a user.

    org_field: attribute holding the owning organisation's id; the user sees rows owned by
        their organisation or by one that shares with it.
    own_org_field_by_role: for these roles, rows whose attribute equals the user's own
        organisation id, with no sharing (a force sees only its own requests).
    own_user_field_by_role: for these roles, rows whose attribute equals the user's id
        (an engineer sees the faults assigned to them).
    """

    org_field: str | None = None
    own_org_field_by_role: dict[str, str] = field(default_factory=dict)
    own_user_field_by_role: dict[str, str] = field(default_factory=dict)
    # Rows with no owner (police open data) are public: every role with 'view' sees them.
    unowned_visible: bool = False


@dataclass(frozen=True)
class Rule:
    actions: dict[str, frozenset[str]]
    scope: Scope


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# model label -> what each role may do and how rows are scoped.
RULES: dict[str, Rule] = {
    "accounts.organisation": Rule(
        actions={"view": EVERYONE, "add": _roles(ADMIN), "change": _roles(ADMIN)},
        scope=Scope(),
    ),
    "accounts.user": Rule(
        actions={"view": _roles(ADMIN, AUDITOR, MANAGER), "add": _roles(ADMIN), "change": _roles(ADMIN)},
        scope=Scope(org_field="organisation_id"),
    ),
    "accounts.apitoken": Rule(
        actions={"view": EVERYONE, "add": EVERYONE, "revoke": EVERYONE},
        scope=Scope(own_user_field_by_role={role: "user_id" for role in EVERYONE - {ADMIN}}),
    ),
    "accounts.accesslogentry": Rule(
        actions={"view": _roles(AUDITOR, ADMIN, MANAGER)},
        scope=Scope(),
    ),
    # The estate (issue 4). Police may see where cameras are (as the public may); engineers
    # see the estate to find their faults but change only the faults assigned to them.
    "cctv.camera": Rule(
        actions={
            "view": EVERYONE,
            "add": _roles(MANAGER, ADMIN),
            "change": _roles(MANAGER, ADMIN),
            "change_status": _roles(MANAGER, OPERATOR, ADMIN),
            "delete": _roles(ADMIN),
        },
        scope=Scope(org_field="owner_id"),
    ),
    "cctv.node": Rule(
        actions={"view": ESTATE_READERS, "add": _roles(MANAGER, ADMIN),
                 "change": _roles(MANAGER, ADMIN), "delete": _roles(ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    "cctv.link": Rule(
        actions={"view": ESTATE_READERS, "add": _roles(MANAGER, ADMIN),
                 "change": _roles(MANAGER, ADMIN), "delete": _roles(ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    "cctv.contract": Rule(
        actions={"view": _roles(MANAGER, OPERATOR, OG, AUDITOR, ADMIN), "change": _roles(MANAGER, ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    # The public statement about the scheme (issue 8): the council's manager writes it.
    "cctv.scheme": Rule(
        actions={"view": ESTATE_READERS, "change": _roles(MANAGER, ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    "cctv.fault": Rule(
        actions={
            "view": ESTATE_READERS,
            "add": _roles(MANAGER, OPERATOR, ADMIN),
            "change": _roles(MANAGER, OPERATOR, ENGINEER, ADMIN),
            "close": _roles(MANAGER, OPERATOR, ADMIN),
            "assign": _roles(MANAGER, OPERATOR, ADMIN),
        },
        scope=Scope(org_field="owner_id", own_user_field_by_role={ENGINEER: "assigned_to_id"}),
    ),
    # Evidence (issue 5). Police see only their own organisation's requests; the council's staff
    # and its monitoring contractor see requests made to the council. Engineers and the
    # Operational Group see none (they get the monthly figures, not the cases).
    "evidence.evidencerequest": Rule(
        actions={
            "view": _roles(MANAGER, OPERATOR, POLICE, AUDITOR, ADMIN),
            "add": _roles(MANAGER, OPERATOR, POLICE, ADMIN),
            # Workflow moves (evidence.workflow): who may make each.
            "accept": _roles(MANAGER, OPERATOR, ADMIN),
            "refuse": _roles(MANAGER, ADMIN),
            "start_search": _roles(MANAGER, OPERATOR, ADMIN),
            "footage_found": _roles(MANAGER, OPERATOR, ADMIN),
            "none_found": _roles(MANAGER, OPERATOR, ADMIN),
            "export": _roles(MANAGER, OPERATOR, ADMIN),
            "ready_for_collection": _roles(MANAGER, OPERATOR, ADMIN),
            "release": _roles(MANAGER, ADMIN),  # the CCTV manager approves every release
            "close": _roles(MANAGER, OPERATOR, ADMIN),
            "withdraw": _roles(MANAGER, POLICE, ADMIN),
            # Work on the case.
            "upload_exhibit": _roles(MANAGER, OPERATOR, ADMIN),
            "download_exhibit": _roles(MANAGER, OPERATOR, POLICE, ADMIN),
            "redact": _roles(MANAGER, OPERATOR, ADMIN),
            "record_custody": _roles(MANAGER, OPERATOR, ADMIN),
            "view_custody": _roles(MANAGER, OPERATOR, POLICE, AUDITOR, ADMIN),
            "manage_deadlines": _roles(MANAGER, ADMIN),
            # A SAR from the public page waits until staff have seen proof of identity.
            "verify_identity": _roles(MANAGER, OPERATOR, ADMIN),
            "build_bundle": _roles(MANAGER, OPERATOR, ADMIN),
            "verify_custody": _roles(MANAGER, OPERATOR, AUDITOR, ADMIN),
        },
        scope=Scope(org_field="owner_id", own_org_field_by_role={POLICE: "requester_organisation_id"}),
    ),
    "evidence.disclosure": Rule(
        actions={"view": _roles(MANAGER, AUDITOR, ADMIN)},
        scope=Scope(org_field="request__owner_id"),
    ),
    # An exhibit is seen by those who may see its request, scoped the same way.
    "evidence.exhibit": Rule(
        actions={
            "view": _roles(MANAGER, OPERATOR, POLICE, AUDITOR, ADMIN),
            "dispose": _roles(MANAGER, ADMIN),
            "legal_hold": _roles(MANAGER, ADMIN),
        },
        scope=Scope(org_field="request__owner_id",
                    own_org_field_by_role={POLICE: "request__requester_organisation_id"}),
    ),
    # Maps (issue 6). Incidents are public police data plus councils' own local records; police
    # see the map and incidents but never proposals (plans for where cameras go).
    "maps.incident": Rule(
        # Local records belong to a council, so its manager records them (the contractor has no estate).
        actions={"view": EVERYONE, "add": _roles(MANAGER, ADMIN), "change": _roles(MANAGER, ADMIN)},
        scope=Scope(org_field="owner_id", unowned_visible=True),
    ),
    "maps.incidentimport": Rule(
        actions={"view": STAFF, "add": _roles(MANAGER, ADMIN)},
        scope=Scope(),
    ),
    "maps.proposal": Rule(
        actions={
            "view": _roles(MANAGER, OPERATOR, OG, AUDITOR, ADMIN),
            "add": _roles(MANAGER, OPERATOR, OG, ADMIN),
            "change": _roles(MANAGER, OPERATOR, OG, ADMIN),
            "submit": _roles(MANAGER, OPERATOR, OG, ADMIN),
            "decide": _roles(OG, ADMIN),  # approve or reject: the Operational Group
            "apply": _roles(MANAGER, ADMIN),  # "done": the estate's owner changes the register
            "suggest": _roles(MANAGER, OPERATOR, OG, ADMIN),
        },
        scope=Scope(org_field="owner_id"),
    ),
    "maps.candidatesite": Rule(
        actions={"view": _roles(MANAGER, OPERATOR, OG, AUDITOR, ADMIN), "add": _roles(MANAGER, OG, ADMIN),
                 "change": _roles(MANAGER, OG, ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    # Reports (issue 7): the Operational Group's monthly figures and annual reviews; police none.
    "reports.monthlyreport": Rule(
        actions={"view": _roles(MANAGER, OPERATOR, OG, AUDITOR, ADMIN), "regenerate": _roles(MANAGER, ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    "reports.camerareview": Rule(
        actions={"view": _roles(MANAGER, OG, AUDITOR, ADMIN), "add": _roles(MANAGER, OG, ADMIN)},
        scope=Scope(org_field="camera__owner_id"),
    ),
    # The published summary of a year's reviews, shown on the public page (issue 8).
    "reports.annualreviewsummary": Rule(
        actions={"view": _roles(MANAGER, OG, AUDITOR, ADMIN), "publish": _roles(MANAGER, ADMIN)},
        scope=Scope(org_field="owner_id"),
    ),
    "cctv.healthfeed": Rule(
        actions={"post": _roles(OPERATOR, MANAGER, ADMIN)},
        scope=Scope(),
    ),
}


# Who may be given an object to work on: faults go to maintenance engineers.
ASSIGNABLE_ROLES: dict[str, frozenset[str]] = {"cctv.fault": _roles(ENGINEER)}


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def _label(target: Model | type[Model] | QuerySet) -> str:
    model = target.model if isinstance(target, QuerySet) else target
    return model._meta.label_lower


def organisations_visible_to(user) -> frozenset[int]:
    """The user's organisation and every organisation that shares its estate with it."""
    cached = getattr(user, "_visible_org_ids", None)
    if cached is not None:
        return cached
    from accounts.models import Organisation

    ids = {user.organisation_id} if user.organisation_id else set()
    if user.organisation_id:
        ids.update(Organisation.objects.filter(shares_with=user.organisation_id).values_list("id", flat=True))
    user._visible_org_ids = frozenset(ids)
    return user._visible_org_ids


def role_may(user, action: str, label: str) -> bool:
    """Whether the user's role allows `action` on this kind of object at all."""
    role = _role(user)
    rule = RULES.get(label)
    if role is None or rule is None:
        return False
    return role in rule.actions.get(action, frozenset())


def _scope_q(user, rule: Rule) -> Q | None:
    """The filter that limits rows to the user; None means every row."""
    role = user.role
    scope = rule.scope
    if role in scope.own_user_field_by_role:
        return Q(**{scope.own_user_field_by_role[role]: user.pk})
    if role in scope.own_org_field_by_role:
        return Q(**{scope.own_org_field_by_role[role]: user.organisation_id})
    if role == ADMIN or scope.org_field is None:
        return None
    condition = Q(**{f"{scope.org_field}__in": organisations_visible_to(user)})
    if scope.unowned_visible:
        condition |= Q(**{f"{scope.org_field}__isnull": True})
    return condition


def _value(obj: Model, path: str):
    """Follow a lookup path as the ORM would ("request__owner_id" is obj.request.owner_id)."""
    for part in path.split("__"):
        obj = getattr(obj, part)
        if obj is None:
            return None
    return obj


def _in_scope(user, rule: Rule, obj: Model) -> bool:
    role = user.role
    scope = rule.scope
    if role in scope.own_user_field_by_role:
        return _value(obj, scope.own_user_field_by_role[role]) == user.pk
    if role in scope.own_org_field_by_role:
        return _value(obj, scope.own_org_field_by_role[role]) == user.organisation_id
    if role == ADMIN or scope.org_field is None:
        return True
    owner_id = _value(obj, scope.org_field)
    if owner_id is None and scope.unowned_visible:
        return True
    return owner_id in organisations_visible_to(user)


def visible_to(user, queryset: QuerySet) -> QuerySet:
    """The rows of `queryset` the user may see (empty for anyone without 'view')."""
    label = _label(queryset)
    if not role_may(user, "view", label):
        return queryset.none()
    condition = _scope_q(user, RULES[label])
    return queryset if condition is None else queryset.filter(condition)


def can(user, action: str, target: Model | type[Model]) -> bool:
    """May `user` do `action` to `target` (an instance, or a model class for 'any')?"""
    label = _label(target)
    if not role_may(user, action, label):
        return False
    if isinstance(target, Model):
        return _in_scope(user, RULES[label], target)
    return True


def authorize(user, action: str, target: Model | type[Model]) -> None:
    """Raise NotVisible when the user cannot see `target`, Forbidden when they may not act."""
    label = _label(target)
    if isinstance(target, Model):
        if not (role_may(user, "view", label) and _in_scope(user, RULES[label], target)):
            raise NotVisible()
    if not can(user, action, target):
        raise Forbidden(f"Your role may not {action.replace('_', ' ')} this {target._meta.verbose_name}.")


def may_be_assigned(user, target: Model | type[Model]) -> bool:
    """Whether this user's role is one that work of this kind may be assigned to."""
    return _role(user) in ASSIGNABLE_ROLES.get(_label(target), frozenset())


def actions_allowed(user, target: Model | type[Model], actions: Iterable[str]) -> set[str]:
    """The subset of `actions` the user may take: used to decide which buttons a page shows."""
    return {action for action in actions if can(user, action, target)}
