"""Sign-ins, failures and sign-outs go to the access log (DESIGN.md section 2F).

A sign-in also stamps the session with where it came from, for the user's session list.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.services import access_log_record
from accounts.sessions import META_KEY


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    how = getattr(request, "second_factor_used", "") if request is not None else ""
    access_log_record(user=user, event=AccessEvent.SIGN_IN, ip_address=_ip(request),
                      detail=f"second factor: {how}" if how else "password only")
    if request is not None and hasattr(request, "session"):
        request.session[META_KEY] = {
            "ip": _ip(request),
            "ua": request.headers.get("User-Agent", "")[:300],
            "started": timezone.now().isoformat(),
        }


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        access_log_record(user=user, event=AccessEvent.SIGN_OUT, ip_address=_ip(request))


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    access_log_record(
        username=str(credentials.get("username", ""))[:150],
        event=AccessEvent.SIGN_IN_FAILED,
        ip_address=_ip(request),
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    access_log_record(username=str(username or "")[:150], event=AccessEvent.LOCKED_OUT, ip_address=ip_address,
                      detail="too many failed sign-ins; locked for the cool-off period")
