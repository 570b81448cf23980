"""A CCTV manager sets up two-factor sign-in in a real browser, then signs in with it (issue 8)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import AccessEvent
from accounts.models import AccessLogEntry
from accounts.two_factor import secret_to_key
from tests.twofactor_codes import code_after_last_use

pytestmark = [pytest.mark.browser, pytest.mark.two_factor, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_a_manager_enrols_from_the_shown_secret_and_signs_in_with_a_code(page, cctv_manager, password, tmp_path,
                                                                         settings):
    # A person retyping takes longer than the one-second wait after a wrong code; the test does not.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    sign_in_with_password(page, password)
    page.wait_for_selector("#totp-secret")
    assert page.is_visible(".qr svg")
    secret = page.inner_text("#totp-secret").strip()
    key = secret_to_key(secret)

    page.fill("#id_code", f"{totp(key):06d}")
    page.click("form >> button[type=submit]")
    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.screenshot(path=str(tmp_path / "recovery.png"))
    page.click("#continue")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("Welcome")

    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/accounts/login/")
    sign_in_with_password(page, password)
    page.wait_for_url("**/accounts/login/second-factor/**")
    page.fill("#id_code", "000000")
    page.click("form >> button[type=submit]")
    assert "not right" in page.inner_text("[role=alert]")

    # The next step's code after the enrolment's: a code is good once (tests/twofactor_codes.py).
    page.fill("#id_code", code_after_last_use(secret, TOTPDevice.objects.get(user=cctv_manager)))
    page.click("form >> button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("Welcome")
    assert page.is_visible("nav >> text=Access log")

    events = list(AccessLogEntry.objects.filter(username="manager").order_by("at").values_list("event", flat=True))
    assert events == [
        AccessEvent.TWO_FACTOR_ENROLLED, AccessEvent.SIGN_IN, AccessEvent.SIGN_OUT,
        AccessEvent.SECOND_FACTOR_FAILED, AccessEvent.SIGN_IN,
    ]
