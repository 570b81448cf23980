"""Headless Chromium (Debian's) driven by Playwright against a live test server."""

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django refuses ORM calls from inside one
    # unless told that this thread is synchronous test code. Only for the browser tests.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def live_site(django_db_setup):
    """The app on a real socket, static files served from STATIC_ROOT as in production.

    pytest-django's live_server serves static files through the finders, which do not know
    the hashed names the manifest storage gives; production (WhiteNoise) serves collected
    files, and so does this.
    """
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    thread = LiveServerThread("localhost", _StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


@pytest.fixture
def page(browser, live_site, transactional_db):
    context = browser.new_context(base_url=live_site, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Everything the page loads must come from the live server: no CDN, no tiles.
    outside = []
    page.on("request", lambda request: None if request.url.startswith(live_site) else outside.append(request.url))
    # Every page keeps to the content security policy: Chromium reports each refusal on the console.
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert outside == [], f"page reached beyond the service: {outside}"
    assert refused == [], f"the page broke its content security policy: {refused}"
