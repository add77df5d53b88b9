"""Robots are no audience; the class of device comes from the measured width, else from the user agent."""

import pytest

from frenchbot.analytics.models import Device
from frenchbot.analytics.useragents import device_class, is_bot

CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
)
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1"
ANDROID_TABLET = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    "agent",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        CHROME.replace("Chrome/", "HeadlessChrome/"),
        "Mozilla/5.0 (Linux) Chrome-Lighthouse",
        "wrk",
    ],
)
def test_robots_and_tools(agent):
    assert is_bot(agent)


@pytest.mark.parametrize("agent", [CHROME, IPHONE, IPAD, ANDROID_PHONE])
def test_browsers_are_people(agent):
    assert not is_bot(agent)


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (320, Device.MOBILE),
        (575, Device.MOBILE),
        (576, Device.TABLET),
        (991, Device.TABLET),
        (992, Device.DESKTOP),
    ],
)
def test_device_by_width_wins_over_the_user_agent(width, expected):
    assert device_class(IPHONE, width) == expected


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (CHROME, Device.DESKTOP),
        (IPHONE, Device.MOBILE),
        (ANDROID_PHONE, Device.MOBILE),
        (IPAD, Device.TABLET),
        (ANDROID_TABLET, Device.TABLET),
    ],
)
def test_device_by_user_agent_without_width(agent, expected):
    assert device_class(agent, None) == expected
