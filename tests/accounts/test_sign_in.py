"""Sign-in, lock-out after repeated failures, and the access log of both."""

from accounts.models import AccessLogEntry

LOGIN = "/accounts/login/"


def test_sign_in_with_the_right_password_reaches_home(client, cctv_manager, password):
    response = client.post(LOGIN, {"username": "manager", "password": password})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert b"CCTV manager" in home.content
    assert AccessLogEntry.objects.filter(event="sign_in", username="manager").count() == 1


def test_a_wrong_password_is_refused_and_logged(client, cctv_manager):
    response = client.post(LOGIN, {"username": "manager", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert AccessLogEntry.objects.filter(event="sign_in_failed", username="manager").count() == 1


def test_five_failures_lock_the_account_even_against_the_right_password(client, cctv_manager, password, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        client.post(LOGIN, {"username": "manager", "password": "wrong"})
    response = client.post(LOGIN, {"username": "manager", "password": password})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert not client.get("/").wsgi_request.user.is_authenticated
    locked = AccessLogEntry.objects.filter(event="locked_out", username="manager")
    assert locked.count() >= 1
    assert AccessLogEntry.objects.filter(event="sign_in_failed", username="manager").count() >= 5


def test_sign_out_is_logged_and_ends_the_session(client, cctv_manager, password):
    client.post(LOGIN, {"username": "manager", "password": password})
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert AccessLogEntry.objects.filter(event="sign_out", username="manager").count() == 1


def test_create_user_command_makes_a_user_with_a_role(db):
    from django.core.management import call_command

    from accounts.models import User

    call_command("create_user", "dpo", "--role", "auditor", "--organisation", "Vale of Glamorgan Council",
                 "--password", "a-long-enough-passphrase")
    user = User.objects.get(username="dpo")
    assert user.role == "auditor" and user.organisation.name == "Vale of Glamorgan Council"
    assert user.check_password("a-long-enough-passphrase")


def test_create_user_refuses_a_weak_password_and_creates_nothing(db):
    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from accounts.models import User

    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "weak", "--role", "operator", "--organisation", "X", "--password", "abc")
    assert not User.objects.filter(username="weak").exists()
