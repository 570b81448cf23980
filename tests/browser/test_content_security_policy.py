"""The content security policy is real: Chromium refuses an inline script on our pages.

Every other browser test fails on any CSP refusal (tests/browser/conftest.py), which proves the
pages keep to the policy; this one proves the policy is there to keep to.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_inline_script_is_refused_and_reported(browser, live_site):
    context = browser.new_context(base_url=live_site)
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/accounts/login/")

    with pytest.raises(Exception):  # noqa: B017 - Playwright reports the refused tag as a generic error
        page.add_script_tag(content="window.injected = true;")
    ran = page.evaluate("window.injected === true")
    context.close()

    assert ran is False
    assert any("script-src" in text for text in refused), refused
