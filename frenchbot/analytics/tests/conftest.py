import pytest

# A person's Chrome: the default "HeadlessChrome" user agent is, rightly, a robot for the measurement.
DESKTOP_CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(scope="module")
def person_browser(_browser):
    """Chromium with a person's user agent for the whole browser: the beacon sent as a page goes away leaves
    from the browser process, which ignores a context's `user_agent` and would say "HeadlessChrome"."""
    from conftest import CHROMIUM

    browser = _browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--user-agent={DESKTOP_CHROME}",
        ],
    )
    yield browser
    browser.close()
