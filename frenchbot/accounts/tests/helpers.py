"""Reading the e-mails the real SMTP server received."""

import re
from email.header import decode_header, make_header
from urllib.parse import urlsplit

from django.conf import settings


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def body(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")


def link_path(message, fragment: str) -> str:
    """The path of the first link of the e-mail containing `fragment`; the link must be on SITE_URL."""
    for url in re.findall(r"https?://\S+", body(message)):
        if fragment in url:
            assert url.startswith(settings.SITE_URL + "/"), url
            return urlsplit(url).path
    raise AssertionError(f"no link with {fragment!r} in:\n{body(message)}")


def staff_group(name: str):
    """The team's group `name` as the migrations accounts 0001 to 0003 make it. Made again when missing: a test
    with transaction=True empties every table, the migrations' groups with them."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=name).exists():
        # 0003 has 0002 make 0001's groups and their grants first, then adds the statistics' permissions.
        import_module("frenchbot.accounts.migrations.0003_staff_groups_analytics").permissions_grant(
            apps, None
        )
    return Group.objects.get(name=name)
