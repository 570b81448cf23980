from datetime import datetime

from ninja import Schema


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    organisation: OrganisationOut | None


class ApiTokenIn(Schema):
    name: str


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssuedOut(ApiTokenOut):
    token: str
