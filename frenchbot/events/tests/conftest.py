import pytest


@pytest.fixture(autouse=True)
def _no_fill_time(settings):
    # Tests post the registration form at once; the test of the minimum fill time sets its own.
    settings.EVENTS_REGISTRATION_MIN_FILL_SECONDS = 0
