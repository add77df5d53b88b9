"""What a user agent says about a visit: a robot or not, and the class of device. Nothing of it is stored but
the class."""

import re

from .models import Device

# Crawlers, link previews, monitors, HTTP libraries and headless browsers: none of them is an audience.
_BOT_RE = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|fetch|preview|monitor|uptime|pingdom|lighthouse|headless|phantom|"
    r"curl/|wget/|python-requests|python-urllib|httpx|aiohttp|go-http-client|java/|okhttp|axios|node-fetch|"
    r"facebookexternalhit|embedly|whatsapp|skypeuripreview|wrk|ab/|apachebench|k6/|locust",
    re.IGNORECASE,
)
_TABLET_RE = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.IGNORECASE)
_MOBILE_RE = re.compile(
    r"mobi|iphone|ipod|android.*mobile|windows phone|blackberry|opera mini", re.IGNORECASE
)


def is_bot(user_agent: str) -> bool:
    """True for an empty user agent and for the known robots and tools."""
    return not user_agent.strip() or bool(_BOT_RE.search(user_agent))


def device_class(user_agent: str, width: int | None = None) -> str:
    """The class of device: from the screen width the script measured when there is one (as Plausible does:
    under 576 px a mobile, under 992 a tablet), else from the user agent."""
    if width:
        if width < 576:
            return Device.MOBILE
        if width < 992:
            return Device.TABLET
        return Device.DESKTOP
    if _TABLET_RE.search(user_agent):
        return Device.TABLET
    if _MOBILE_RE.search(user_agent):
        return Device.MOBILE
    return Device.DESKTOP
