"""Human references numbered per year (F-2026-00042, ER-2026-00007), safe under concurrency."""

from django.db import connection
from django.db.models import IntegerField, Max, QuerySet
from django.db.models.functions import Cast, Substr


def yearly_reference_next(*, records: QuerySet, letters: str, year: int, lock_namespace: int,
                          field: str = "reference") -> str:
    """The next <letters>-<year>-<nnnnn> among `records`, without a counter table.

    Call inside the transaction that saves the record. The transaction-level advisory lock
    (namespace, year) serialises allocation until commit; under READ COMMITTED the max() that
    follows takes a fresh snapshot and so sees what the previous lock holder committed. Numbers
    compare as integers, so 100000 follows 99999; a rolled-back allocation frees its number.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [lock_namespace, year])
    prefix = f"{letters}-{year}-"
    last = (records.filter(**{f"{field}__startswith": prefix})
            .aggregate(n=Max(Cast(Substr(field, len(prefix) + 1), IntegerField())))["n"])
    return f"{prefix}{(last or 0) + 1:05d}"
