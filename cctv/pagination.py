"""Limit/offset pagination whose numbers PostgreSQL can hold.

ninja's own LimitOffsetPagination takes any integer: an offset past 2**63 from a query string
reached PostgreSQL as an OFFSET it cannot store and answered 500. Bounded here, it is a 422 that
names the parameter. Every paginated list of the API uses this class.
"""

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination as NinjaLimitOffsetPagination

# Far beyond any list the service holds, and offset + limit still fits PostgreSQL's bigint.
MAX_PAGINATION_NUMBER = 2**31 - 1


class LimitOffsetPagination(NinjaLimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_PAGINATION_NUMBER)
        offset: int = Field(0, ge=0, le=MAX_PAGINATION_NUMBER)
