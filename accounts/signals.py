"""Sign-ins, failures and sign-outs go to the access log (DESIGN.md section 2F)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.choices import AccessEvent
from accounts.services import access_log_record


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    access_log_record(user=user, event=AccessEvent.SIGN_IN, ip_address=_ip(request))


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
