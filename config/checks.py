"""Project system checks."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def spatial_reference_allow_list(app_configs, **kwargs):
    """Keep the promise that lets us silence gis.W001: only integer EPSG codes reach GDAL."""
    allowed = getattr(settings, "ALLOWED_INPUT_SRIDS", ())
    if not allowed or not all(isinstance(code, int) and not isinstance(code, bool) for code in allowed):
        return [
            Error(
                "ALLOWED_INPUT_SRIDS must be a non-empty list of integer EPSG codes.",
                hint="gis.W001 is silenced on the understanding that no SRS text reaches GDAL.",
                id="vale.E001",
            )
        ]
    return []
