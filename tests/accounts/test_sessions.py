"""Sessions: the idle expiry, and a user's list of their sessions with the power to end others."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AccessEvent
from accounts.models import AccessLogEntry, UserSession
from accounts.user_sessions import session_handle

pytestmark = pytest.mark.django_db


def signed_in(user, password, agent="Firefox/140.0") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="192.0.2.10")
    assert client.post("/accounts/login/", {"username": user.username, "password": password}).status_code == 302
    return client


def test_a_sign_in_records_its_user_address_and_browser(og_member, password):
    client = signed_in(og_member, password)

    row = UserSession.objects.get(session_key=client.session.session_key)

    assert (row.user, row.ip_address, row.user_agent) == (og_member, "192.0.2.10", "Firefox/140.0")
    assert row.started_at is not None


def test_a_session_idle_past_its_limit_is_signed_out(og_member, password, settings):
    client = signed_in(og_member, password)
    UserSession.objects.filter(user=og_member).update(expire_date=timezone.now() - dt.timedelta(seconds=1))

    response = client.get("/")

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_activity_moves_the_expiry_on_but_writes_at_most_once_a_minute(og_member, password, settings):
    client = signed_in(og_member, password)
    key = client.session.session_key
    client.get("/")
    first = UserSession.objects.get(session_key=key).expire_date

    client.get("/")
    assert UserSession.objects.get(session_key=key).expire_date == first  # within the minute: no write

    session = client.session
    session["_seen"] -= 61
    session.save()
    UserSession.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    client.get("/")
    moved = UserSession.objects.get(session_key=key).expire_date
    assert moved - timezone.now() > dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 10)


def test_the_session_list_shows_each_session_without_its_key(og_member, password):
    laptop = signed_in(og_member, password, agent="Laptop Firefox")
    signed_in(og_member, password, agent="Phone Safari")

    page = laptop.get(reverse("accounts:security")).content.decode()

    assert "Laptop Firefox" in page and "Phone Safari" in page
    assert page.count("this session") == 1
    for row in UserSession.objects.filter(user=og_member):
        assert row.session_key not in page
        assert session_handle(row.session_key) in page or row.session_key == laptop.session.session_key


def test_a_user_ends_another_of_their_sessions(og_member, password):
    laptop = signed_in(og_member, password, agent="Laptop")
    phone = signed_in(og_member, password, agent="Phone")
    phone_key = phone.session.session_key

    response = laptop.post(reverse("accounts:sessions_end"), {"session": session_handle(phone_key)})

    assert response.status_code == 302
    assert phone.get("/").status_code == 302  # signed out
    assert laptop.get("/").status_code == 200  # still signed in
    ended = AccessLogEntry.objects.get(event=AccessEvent.SESSION_ENDED)
    assert ended.detail == "1 other session(s) ended by their user"


def test_end_all_others_keeps_only_this_session(og_member, password):
    clients = [signed_in(og_member, password, agent=f"browser {n}") for n in range(3)]

    clients[0].post(reverse("accounts:sessions_end"), {"session": "all-others"})

    assert list(UserSession.objects.filter(user=og_member).values_list("session_key", flat=True)) == [
        clients[0].session.session_key
    ]


def test_nobody_can_end_someone_elses_session(og_member, auditor, password):
    victim = signed_in(auditor, password)
    attacker = signed_in(og_member, password)

    attacker.post(reverse("accounts:sessions_end"), {"session": session_handle(victim.session.session_key)})

    assert victim.get("/").status_code == 200
    assert not AccessLogEntry.objects.filter(event=AccessEvent.SESSION_ENDED).exists()


def test_signing_out_removes_the_session_row(og_member, password):
    client = signed_in(og_member, password)
    key = client.session.session_key

    client.post("/accounts/logout/")

    assert not UserSession.objects.filter(session_key=key).exists()


def test_the_nightly_purge_removes_only_expired_sessions(og_member, auditor, password):
    from config.tasks import expired_sessions_purge_task

    stale = signed_in(og_member, password)
    live = signed_in(auditor, password)
    UserSession.objects.filter(session_key=stale.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(minutes=1))

    expired_sessions_purge_task()

    assert list(UserSession.objects.values_list("session_key", flat=True)) == [live.session.session_key]


def test_setting_up_an_authenticator_ends_the_other_password_only_sessions(og_member, password):
    import re

    from django_otp.oath import totp

    from accounts.two_factor import secret_to_key

    laptop = signed_in(og_member, password, agent="Laptop")
    phone = signed_in(og_member, password, agent="Phone")
    page = laptop.get(reverse("accounts:two_factor_enrol")).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)

    code = f"{totp(secret_to_key(secret)):06d}"
    assert laptop.post(reverse("accounts:two_factor_enrol"), {"code": code}).status_code == 200

    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
