import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_signs_in_and_sees_the_home_page(page, cctv_manager, password, tmp_path):
    page.goto("/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "manager")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    assert page.inner_text("h1").startswith("Welcome")
    assert "CCTV manager" in page.inner_text("main")
    assert page.is_visible("nav >> text=Access log")
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    assert (tmp_path / "home.png").stat().st_size > 5000


def test_wrong_password_shows_an_error_in_the_page(page, cctv_manager):
    page.goto("/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "correct username and password" in page.inner_text("[role=alert]")


def test_api_docs_render_offline(page, cctv_manager, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Vale CCTV API" in page.inner_text(".swagger-ui .info .title")
