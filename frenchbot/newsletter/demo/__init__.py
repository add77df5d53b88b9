"""Demo newsletter, written for this project: two public lists (`lists.toml`) and three letters already sent,
shown in the archive (`issues/*.md`, Markdown with a front matter: slug, subject, preheader, lists — slugs
separated by commas —, days_ago). No subscriber and no delivery: the archive needs none. `frenchbot demo`
loads it once; a list or a letter that already exists (same slug) is left as it is.

Text is written with ordinary spaces: French typography is applied when it is stored."""

import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from frenchbot.core.datafiles import (
    DataFileError,
    datafile_name,
    keys_only,
    model_checked,
    tables_get,
    toml_read,
    value_get,
)
from frenchbot.core.text import french_typography, parse_front_matter

from ..models import Issue, MailingList

DEMO_DIR = Path(__file__).resolve().parent
_ISSUE_KEYS = ("slug", "subject", "preheader", "lists", "days_ago")


def newsletter_demo_lists() -> list[dict[str, Any]]:
    """The demo lists as written in `lists.toml`, checked (DataFileError names the place)."""
    path = DEMO_DIR / "lists.toml"
    where = datafile_name(path)
    lists = []
    for number, table in enumerate(tables_get(toml_read(path), "lists", where=where), start=1):
        place = f"{where}, list {number}"
        keys_only(table, {"slug", "name", "description", "public", "default", "position"}, where=place)
        lists.append(
            {
                "slug": value_get(table, "slug", str, where=place),
                "name": value_get(table, "name", str, where=place),
                "description": value_get(table, "description", str, where=place, default=""),
                "is_public": value_get(table, "public", bool, where=place, default=True),
                "is_default": value_get(table, "default", bool, where=place, default=True),
                "position": value_get(table, "position", int, where=place, default=0),
            }
        )
    return lists


def newsletter_demo_issues() -> list[dict[str, Any]]:
    """The demo letters as written in `issues/`, checked, oldest file first."""
    issues = []
    for path in sorted((DEMO_DIR / "issues").glob("*.md")):
        where = datafile_name(path)
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        missing = [key for key in _ISSUE_KEYS if not meta.get(key)]
        if missing:
            raise DataFileError(f"{where}: '{missing[0]}' is missing from the front matter.")
        try:
            days_ago = int(meta["days_ago"])
        except ValueError:
            raise DataFileError(f"{where}: 'days_ago' should be a whole number.") from None
        issues.append(
            {
                "slug": meta["slug"],
                "subject": meta["subject"],
                "preheader": meta["preheader"],
                "lists": [slug.strip() for slug in meta["lists"].split(",") if slug.strip()],
                "days_ago": days_ago,
                "body": body.strip() + "\n",
                "where": where,
            }
        )
    return issues


@transaction.atomic
def newsletter_demo_load() -> dict[str, int]:
    """Create the demo lists and letters that do not exist yet; returns the counts created."""
    created = {"lists": 0, "issues": 0}
    lists = {}
    for data in newsletter_demo_lists():
        mailing_list, was_created = MailingList.objects.get_or_create(
            slug=data["slug"],
            defaults={
                "name": french_typography(data["name"]),
                "description": french_typography(data["description"]),
                "is_public": data["is_public"],
                "is_default": data["is_default"],
                "position": data["position"],
            },
        )
        lists[mailing_list.slug] = mailing_list
        created["lists"] += was_created
    now = timezone.now()
    for data in newsletter_demo_issues():
        if Issue.objects.filter(slug=data["slug"]).exists():
            continue
        unknown = [slug for slug in data["lists"] if slug not in lists]
        if unknown:
            raise DataFileError(f"{data['where']}: list '{unknown[0]}' is not in lists.toml.")
        sent_at = now - datetime.timedelta(days=data["days_ago"], hours=2)
        issue = model_checked(
            Issue(
                slug=data["slug"],
                subject=french_typography(data["subject"]),
                preheader=french_typography(data["preheader"]),
                body_markdown=french_typography(data["body"]),
                status=Issue.Status.SENT,
                sending_started_at=sent_at,
                sent_at=sent_at,
                in_archive=True,
            ),
            where=data["where"],
        )
        issue.save()
        issue.lists.set([lists[slug] for slug in data["lists"]])
        created["issues"] += 1
    return created


def demo_report() -> str:
    """Load the demo newsletter for `frenchbot demo` and say what was created ("" when it was there)."""
    created = newsletter_demo_load()
    if not any(created.values()):
        return ""
    return (
        f"Lettre d'information : {created['lists']} listes, {created['issues']} lettres envoyées dans les "
        "archives."
    )


@transaction.atomic
def demo_remove() -> str:
    """Delete the demo letters, and the demo lists nobody subscribed to; what the team wrote stays."""
    issues = Issue.objects.filter(slug__in=[data["slug"] for data in newsletter_demo_issues()])
    removed_issues = issues.count()
    issues.delete()
    lists = MailingList.objects.filter(
        slug__in=[data["slug"] for data in newsletter_demo_lists()], subscribers__isnull=True
    ).exclude(issues__isnull=False)
    removed_lists = lists.count()
    MailingList.objects.filter(pk__in=list(lists.values_list("pk", flat=True))).delete()
    if not removed_issues and not removed_lists:
        return ""
    return f"Lettre d'information : {removed_issues} lettres et {removed_lists} listes de démonstration retirées."
