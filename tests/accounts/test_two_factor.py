"""Two-factor sign-in for staff (issue 8): who needs it, enrolment, codes, recovery, reset.

Codes are computed here from the secret the set-up page shows, as an authenticator app would.
"""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import AccessEvent, Role
from accounts.exceptions import Forbidden
from accounts.models import AccessLogEntry, UserSession
from accounts.permissions import role_may
from accounts.services import api_token_create
from accounts.two_factor import secret_to_key, two_factor_reset
from tests.twofactor_codes import code_after_last_use

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    # The doubling wait after a wrong code is tested on its own below; elsewhere it would only slow tests.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(secret: str) -> str:
    return f"{totp(secret_to_key(secret)):06d}"


def next_code(secret: str, user) -> str:
    """The code of the step after the device's last accepted one: a code is good once, so the
    enrolment's code cannot sign in again within the same 30 seconds (tests/twofactor_codes.py)."""
    return code_after_last_use(secret, TOTPDevice.objects.get(user=user, confirmed=True))


def sign_in_password(client, user, password):
    return client.post(LOGIN, {"username": user.username, "password": password})


def enrol(client, user, password) -> tuple[str, list[str]]:
    """Password, then set up the authenticator from the page's key; returns (secret, recovery codes)."""
    response = sign_in_password(client, user, password)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor_enrol"))
    page = client.get(response.url).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    confirmed = client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(secret), "next": "/"})
    assert confirmed.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", confirmed.content.decode())
    return secret, codes


def events(user, event):
    return AccessLogEntry.objects.filter(username=user.username, event=event)


def test_the_default_required_roles_are_those_that_release_evidence_or_change_the_estate(settings, people):
    from config import settings as defaults

    assert set(defaults.TWO_FACTOR_REQUIRED_ROLES) == set(settings.TWO_FACTOR_REQUIRED_ROLES)
    releasing_or_changing = [
        ("evidence.evidencerequest", "release"), ("evidence.evidencerequest", "export"),
        ("evidence.evidencerequest", "upload_exhibit"), ("cctv.camera", "add"), ("cctv.camera", "change"),
        ("cctv.camera", "change_status"), ("cctv.link", "change"), ("cctv.node", "change"),
    ]
    for role_user in people.values():
        needs = any(role_may(role_user, action, label) for label, action in releasing_or_changing)
        assert (role_user.role in settings.TWO_FACTOR_REQUIRED_ROLES) == needs, role_user.role
    assert set(settings.TWO_FACTOR_REQUIRED_ROLES) == {Role.CCTV_MANAGER, Role.OPERATOR, Role.ADMIN}


def test_a_password_alone_signs_in_nobody_whose_role_needs_a_second_factor(client, cctv_manager, password):
    response = sign_in_password(client, cctv_manager, password)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor_enrol"))
    assert client.get("/").status_code == 302
    assert client.get("/").url.startswith(LOGIN)
    api = client.get("/api/cameras")
    assert api.status_code == 401
    assert not events(cctv_manager, AccessEvent.SIGN_IN).exists()


def test_a_role_without_the_requirement_signs_in_with_its_password(client, og_member, password):
    response = sign_in_password(client, og_member, password)

    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    assert events(og_member, AccessEvent.SIGN_IN).get().detail == "password only"


def test_enrolment_shows_a_locally_drawn_qr_and_gives_ten_recovery_codes_once(client, cctv_manager, password):
    sign_in_password(client, cctv_manager, password)
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0]  # drawn inline, no external image
    assert "src=\"http" not in page

    secret, codes = enrol(client.__class__(), cctv_manager, password)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=cctv_manager, confirmed=True)
    assert StaticToken.objects.filter(device__user=cctv_manager).count() == 10
    assert events(cctv_manager, AccessEvent.TWO_FACTOR_ENROLLED).count() == 1
    assert events(cctv_manager, AccessEvent.SIGN_IN).get().detail == "second factor: authenticator app (just set up)"


def test_after_enrolment_the_session_reaches_pages_and_the_api(client, cctv_manager, password):
    enrol(client, cctv_manager, password)

    assert client.get("/").status_code == 200
    assert client.get("/api/cameras").status_code == 200


def test_a_wrong_enrolment_code_is_refused_logged_and_confirms_nothing(client, cctv_manager, password):
    sign_in_password(client, cctv_manager, password)
    client.get(reverse("accounts:two_factor_enrol"))

    response = client.post(reverse("accounts:two_factor_enrol"), {"code": "000000"})

    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cctv_manager, confirmed=True).exists()
    assert events(cctv_manager, AccessEvent.SECOND_FACTOR_FAILED).count() == 1
    assert client.get("/").status_code == 302


def test_a_wrong_code_is_refused_and_logged_and_the_right_one_then_signs_in(client, cctv_manager, password):
    secret, _ = enrol(client.__class__(), cctv_manager, password)
    response = sign_in_password(client, cctv_manager, password)
    assert response.url.startswith(reverse("accounts:second_factor"))

    wrong = client.post(reverse("accounts:second_factor"), {"code": "123456"})
    assert wrong.status_code == 400
    assert events(cctv_manager, AccessEvent.SECOND_FACTOR_FAILED).count() == 1
    assert client.get("/").status_code == 302
    assert client.get("/api/cameras").status_code == 401

    right = client.post(reverse("accounts:second_factor"), {"code": next_code(secret, cctv_manager), "next": "/"})
    assert right.status_code == 302 and right.url == "/"
    assert client.get("/").status_code == 200
    assert events(cctv_manager, AccessEvent.SIGN_IN).latest("at").detail == "second factor: authenticator app"


def test_a_code_already_used_cannot_be_used_again(client, cctv_manager, password):
    secret, _ = enrol(client.__class__(), cctv_manager, password)
    code = next_code(secret, cctv_manager)
    sign_in_password(client, cctv_manager, password)
    assert client.post(reverse("accounts:second_factor"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))

    sign_in_password(client, cctv_manager, password)
    replay = client.post(reverse("accounts:second_factor"), {"code": code})

    assert replay.status_code == 400
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(client, cctv_manager, password):
    _, codes = enrol(client.__class__(), cctv_manager, password)

    sign_in_password(client, cctv_manager, password)
    first = client.post(reverse("accounts:second_factor"), {"code": codes[0].upper(), "next": "/"})
    assert first.status_code == 302
    assert client.get("/").status_code == 200
    used = events(cctv_manager, AccessEvent.RECOVERY_CODE_USED).get()
    assert used.detail == "9 recovery codes left"
    client.post(reverse("accounts:logout"))

    sign_in_password(client, cctv_manager, password)
    again = client.post(reverse("accounts:second_factor"), {"code": codes[0]})
    assert again.status_code == 400
    assert client.get("/").status_code == 302
    assert events(cctv_manager, AccessEvent.SECOND_FACTOR_FAILED).filter(detail__startswith="recovery").count() == 1


def test_wrong_codes_in_a_row_make_the_next_attempt_wait(client, cctv_manager, password, settings):
    secret, _ = enrol(client.__class__(), cctv_manager, password)
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    sign_in_password(client, cctv_manager, password)
    client.post(reverse("accounts:second_factor"), {"code": "111111"})

    throttled = client.post(reverse("accounts:second_factor"), {"code": next_code(secret, cctv_manager)})

    assert throttled.status_code == 400
    assert "Too many wrong codes" in throttled.content.decode()
    assert client.get("/").status_code == 302


def test_a_pending_sign_in_lapses_after_a_few_minutes(client, cctv_manager, password):
    sign_in_password(client, cctv_manager, password)
    session = client.session
    pending = session["_vale_pending_sign_in"]
    pending["at"] -= 6 * 60
    session["_vale_pending_sign_in"] = pending
    session.save()

    response = client.get(reverse("accounts:two_factor_enrol"))

    assert response.status_code == 302 and response.url == LOGIN


def test_api_tokens_are_not_affected(client, cctv_manager):
    token = api_token_create(user=cctv_manager, name="monitoring software").plaintext

    response = client.get("/api/cameras", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200


def test_a_bad_token_does_not_fall_back_to_an_unverified_session(client, cctv_manager):
    client.force_login(cctv_manager)  # signed in without the second factor (e.g. before the rule changed)

    response = client.get("/api/cameras", HTTP_AUTHORIZATION="Bearer vcctv_nothing_here")

    assert response.status_code == 401


def test_the_admin_site_signs_in_through_the_two_step_sign_in(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_an_administrators_reset_removes_devices_ends_sessions_and_is_logged(client, cctv_manager, admin_user,
                                                                              password):
    enrol(client, cctv_manager, password)
    assert UserSession.objects.filter(user=cctv_manager).count() == 1
    admin_client = client.__class__()
    admin_client.force_login(admin_user)
    session = admin_client.session
    # The administrator's own session has its second factor (set as django-otp's login would).
    device = TOTPDevice.objects.create(user=admin_user, name="admin phone", confirmed=True)
    session["otp_device_id"] = device.persistent_id
    session.save()

    response = admin_client.post("/admin/accounts/user/", {
        "action": "reset_two_factor", "_selected_action": [cctv_manager.pk],
    })

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=cctv_manager).exists()
    assert not StaticDevice.objects.filter(user=cctv_manager).exists()
    assert not UserSession.objects.filter(user=cctv_manager).exists()
    assert client.get("/").status_code == 302  # the manager's session has ended
    reset = AccessLogEntry.objects.get(event=AccessEvent.TWO_FACTOR_RESET)
    assert (reset.username, reset.object_ref) == (admin_user.username, cctv_manager.username)
    assert "1 sessions ended" in reset.detail


def test_only_an_administrator_may_reset_someone_elses_second_factor(cctv_manager, operator):
    with pytest.raises(Forbidden):
        two_factor_reset(user=operator, by=cctv_manager, reason="asked nicely")
    assert not AccessLogEntry.objects.filter(event=AccessEvent.TWO_FACTOR_RESET).exists()


def test_the_reset_command_needs_a_reason_and_logs_it(cctv_manager):
    from django.core.management import CommandError, call_command

    TOTPDevice.objects.create(user=cctv_manager, name="phone", confirmed=True)
    with pytest.raises(CommandError):
        call_command("two_factor_reset", cctv_manager.username, "--reason", "  ")
    call_command("two_factor_reset", cctv_manager.username, "--reason", "phone lost, ticket 42")

    assert not TOTPDevice.objects.filter(user=cctv_manager).exists()
    entry = AccessLogEntry.objects.get(event=AccessEvent.TWO_FACTOR_RESET)
    assert entry.username == "manage.py" and entry.detail.startswith("phone lost, ticket 42")


def test_a_user_who_opted_in_needs_the_code_even_if_the_role_does_not(client, og_member, password):
    client.force_login(og_member)
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert client.post(reverse("accounts:two_factor_enrol"), {"code": code_for(secret)}).status_code == 200
    client.post(reverse("accounts:logout"))

    response = sign_in_password(client, og_member, password)

    assert response.url.startswith(reverse("accounts:second_factor"))
    assert client.get("/").status_code == 302


def test_the_totp_code_command_matches_the_devices_own_check(cctv_manager, capsys):
    from django.core.management import call_command

    device = TOTPDevice.objects.create(user=cctv_manager, name="phone", confirmed=False)
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    call_command("totp_code", " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)).lower())

    assert device.verify_token(capsys.readouterr().out.strip())
