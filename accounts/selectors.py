from django.db.models import QuerySet

from accounts.models import AccessLogEntry, ApiToken, User
from accounts.permissions import visible_to


def api_tokens_visible_to(user: User) -> QuerySet[ApiToken]:
    return visible_to(user, ApiToken.objects.select_related("user"))


def access_log_visible_to(user: User) -> QuerySet[AccessLogEntry]:
    return visible_to(user, AccessLogEntry.objects.all())
