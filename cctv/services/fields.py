"""A check that Model.full_clean() does not make, for the services that take partial changes."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from accounts.exceptions import InvalidInput


def nulls_refused(model: type[Model], changes: dict[str, Any]) -> None:
    """Refuse None for a NOT NULL column, naming the fields.

    full_clean() skips the empty values of blank=True fields, None included, so a PATCH sending
    `"notes": null` passed it and failed at the UPDATE as a 500.
    """
    nulls = sorted(name for name, value in changes.items() if value is None and not model._meta.get_field(name).null)
    if nulls:
        raise InvalidInput(f"{', '.join(nulls)} cannot be null: leave a field out to keep its value, or send \"\" "
                           "to empty a text field.")
