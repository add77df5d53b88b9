"""A letter as an e-mail (HTML and plain text, with its headers) and as a web page. Pure: reads, never writes.

The HTML follows what the common clients (Gmail, Outlook, Apple Mail, Thunderbird) all render: a table layout at
most 600 px wide, inline styles only (no <style> block, which several clients drop), no external image (the
Markdown's images become links, the brand is text), and no tracking of any kind: no pixel, and every link goes
where it says, never through a redirect of ours. The colours are solid backgrounds with dark-on-light text that
keep their contrast when a client inverts them for dark mode.

The Markdown is rendered once per letter (`issue_content`); `issue_email` then only adds the person's part
(their lists and their links), so that a send to many thousands renders the body once.
"""

import re
import textwrap
from dataclasses import dataclass, field
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from frenchbot.core.text import french_typography, render_markdown, single_line

from .models import Issue, MailingList, Subscriber
from .services.subscriptions import subscriber_links

# The brand's colours (BRAND.md), with the site's darker shades where text needs WCAG AA contrast.
NAVY = "#14213d"
RED = "#e63946"  # decorative rule only: white on it is below 4.5:1
RED_DARK = "#c1121f"  # buttons (white text, 6.2:1)
BLUE = "#457b9d"  # borders
BLUE_DARK = "#2f5d7c"  # links (7:1 on white)
GREY = "#f1f3f5"  # panels
LINE = "#c9d1da"
FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
MONO = "Consolas, Menlo, 'Courier New', monospace"

TEST_PREFIX = "[TEST] "

# The parser of the plain-text part: the same Markdown dialect as core.text.render_markdown.
_md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")

# Inline styles of each element the Markdown renderer may produce.
_TEXT = f"color:{NAVY};font-family:{FONT};font-size:16px;line-height:1.6"
_STYLES = {
    "p": f"margin:0 0 16px;{_TEXT}",
    "h2": f"margin:28px 0 12px;color:{NAVY};font-family:{FONT};font-size:22px;line-height:1.3;font-weight:bold",
    "h3": f"margin:24px 0 8px;color:{NAVY};font-family:{FONT};font-size:19px;line-height:1.3;font-weight:bold",
    "h4": f"margin:20px 0 8px;color:{NAVY};font-family:{FONT};font-size:17px;line-height:1.3;font-weight:bold",
    "h5": f"margin:16px 0 8px;{_TEXT};font-weight:bold",
    "h6": f"margin:16px 0 8px;{_TEXT};font-weight:bold",
    "a": f"color:{BLUE_DARK};text-decoration:underline",
    "ul": "margin:0 0 16px;padding:0 0 0 24px",
    "ol": "margin:0 0 16px;padding:0 0 0 24px",
    "li": f"margin:0 0 8px;{_TEXT}",
    "blockquote": f"margin:0 0 16px;padding:8px 16px;border-left:4px solid {BLUE};background-color:{GREY}",
    "pre": (
        f"margin:0 0 16px;padding:12px;background-color:{GREY};color:{NAVY};font-family:{MONO};font-size:14px;"
        "line-height:1.5;white-space:pre-wrap;word-break:break-word"
    ),
    "code": f"font-family:{MONO};font-size:14px",
    "table": "margin:0 0 16px;border-collapse:collapse;width:100%",
    "th": f"padding:6px 8px;border:1px solid {LINE};{_TEXT};font-weight:bold;text-align:left",
    "td": f"padding:6px 8px;border:1px solid {LINE};{_TEXT}",
    "hr": f"margin:24px 0;border:0;border-top:1px solid {LINE}",
}
_TAG_RE = re.compile(r"<({})\b([^>]*)>".format("|".join(sorted(_STYLES, key=len, reverse=True))))
_IMG_RE = re.compile(r"<img\b([^>]*)>")
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class IssueContent:
    """What every recipient of a letter gets alike: computed once per letter."""

    subject: str
    preheader: str
    body_html: str  # styled for e-mail
    body_text: str
    # Rendered templates per kind of footer (the subscriber's lists), filled in by issue_email.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class IssueEmail:
    """One recipient's message, ready for `mail_send`."""

    to: str
    subject: str
    html: str
    text: str
    headers: dict[str, str]


def _style(match: re.Match) -> str:
    tag, attrs = match.group(1), match.group(2)
    style = _STYLES[tag]
    if 'style="' in attrs:
        attrs = attrs.replace('style="', f'style="{style};', 1)
    else:
        attrs = f'{attrs} style="{style}"'
    return f"<{tag}{attrs}>"


def _image_as_link(match: re.Match) -> str:
    # No external image in a letter: it would tell the sender when and where it was opened. The picture is a
    # link the reader may follow, named by its alternative text.
    attrs = dict(_ATTR_RE.findall(match.group(1)))
    label = attrs.get("alt") or _("Voir l'image")
    src = attrs.get("src", "")
    if not src:
        return label
    return f'<a href="{src}">{label}</a>'


def email_html_from_markdown(source: str) -> str:
    """The site's safe Markdown rendering, with images turned into links and every element styled inline."""
    html = _IMG_RE.sub(_image_as_link, render_markdown(source))
    return _TAG_RE.sub(_style, html)


# --- Plain text -----------------------------------------------------------------------------------------------


def _inline_plain(token) -> str:
    parts: list[str] = []
    href_stack: list[tuple[str, int]] = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "link_open":
            href_stack.append((child.attrGet("href") or "", len(parts)))
        elif child.type == "link_close" and href_stack:
            href, start = href_stack.pop()
            label = "".join(parts[start:]).strip()
            if href and href != label and href != f"mailto:{label}":
                parts.append(f" ({href})")
        elif child.type == "image":
            src = child.attrGet("src") or ""
            alt = child.content or _("image")
            parts.append(f"[{alt}] ({src})" if src else f"[{alt}]")
    return "".join(parts)


def _wrap(text: str, prefix: str = "", first_prefix: str | None = None) -> str:
    lines = []
    for index, paragraph_line in enumerate(text.split("\n")):
        lines.append(
            textwrap.fill(
                paragraph_line,
                width=76,
                initial_indent=first_prefix if (first_prefix is not None and index == 0) else prefix,
                subsequent_indent=prefix,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


_TIGHT = "\x00"  # marks a block that follows the previous one without a blank line


def text_from_markdown(source: str) -> str:
    """The Markdown as a readable plain-text e-mail: paragraphs wrapped at 76 columns, links written out after
    their text, lists with dashes or numbers, headings underlined."""
    tokens = _md.parse(source or "")
    blocks: list[str] = []
    lists: list[list] = []  # per open list: [ordered, next number]
    quote = 0
    item_first = False
    row: list[str] | None = None
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            title = _inline_plain(tokens[index + 1]).strip()
            underline = "=" if token.tag in {"h1", "h2"} else "-"
            blocks.append(f"{title}\n{underline * min(len(title), 76)}")
        elif kind == "bullet_list_open":
            lists.append([False, 0])
        elif kind == "ordered_list_open":
            lists.append([True, int(token.attrGet("start") or 1)])
        elif kind in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif kind == "list_item_open":
            item_first = True
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            blocks.append(_TIGHT + " | ".join(row))
            row = None
        elif kind == "inline":
            if tokens[index - 1].type == "heading_open":
                continue
            text = _inline_plain(token)
            if row is not None:
                row.append(text.strip())
                continue
            indent = "  " * max(0, len(lists) - 1)
            quote_prefix = "> " * quote
            if lists:
                ordered, number = lists[-1]
                marker = f"{number}. " if ordered else "- "
                if item_first:
                    if ordered:
                        lists[-1][1] += 1
                    first = quote_prefix + indent + marker
                    item_first = False
                else:
                    first = quote_prefix + indent + " " * len(marker)
                blocks.append(_TIGHT + _wrap(text, quote_prefix + indent + " " * len(marker), first))
            else:
                blocks.append(_wrap(text, quote_prefix))
        elif kind in {"fence", "code_block"}:
            blocks.append(textwrap.indent(token.content.rstrip("\n"), "    "))
        elif kind == "hr":
            blocks.append("-" * 20)
    # List items and table rows sit on consecutive lines; other blocks are separated by a blank line.
    out: list[str] = []
    previous_tight = False
    for block in blocks:
        tight = block.startswith(_TIGHT)
        text = block.removeprefix(_TIGHT)
        if out:
            out.append("\n" if tight and previous_tight else "\n\n")
        out.append(text)
        previous_tight = tight
    return "".join(out).strip() + "\n"


# --- The letter -------------------------------------------------------------------------------------------------


def issue_content(*, issue: Issue) -> IssueContent:
    """The parts of `issue` that are the same for every recipient."""
    # Written with ordinary spaces; the no-break spaces of French typography are added here (as core.text says).
    source = french_typography(issue.body_markdown)
    return IssueContent(
        subject=french_typography(single_line(issue.subject)),
        preheader=french_typography(single_line(issue.preheader)),
        body_html=email_html_from_markdown(source),
        body_text=text_from_markdown(source),
    )


def issue_web_html(*, issue: Issue) -> str:
    """The letter's body for the archive page (styled by the site's stylesheet)."""
    return render_markdown(french_typography(issue.body_markdown))


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def list_id_header() -> str:
    """RFC 2919: one identifier for the site's letters, whatever lists a letter goes to (the preferences page
    is where a reader chooses lists; filters only need to recognise the letters)."""
    return f"{settings.SITE_NAME} <lettre.{_site_host()}>"


def delivery_message_id(*, issue: Issue, subscriber: Subscriber) -> str:
    """The same Message-ID every time this letter is sent to this person: in the rare case a send is repeated
    (a worker killed between the server's acceptance and the row's update), Gmail and several clients show the
    copy as the same message rather than a second one."""
    return f"<lettre.{issue.pk}.{subscriber.public_id.hex}@{_site_host()}>"


def subscriber_list_names(*, issue: Issue, subscriber: Subscriber) -> list[str]:
    """The lists of `issue` the subscriber is on: why they receive it."""
    issue_list_ids = [mailing_list.pk for mailing_list in issue.lists.all()]
    return list(
        MailingList.objects.filter(pk__in=issue_list_ids, subscribers=subscriber)
        .order_by("position", "name")
        .values_list("name", flat=True)
    )


def _lists_phrase(names: list[str]) -> str:
    """« à la liste « A » » or « aux listes « A », « B » et « C » »."""
    quoted = [f"«\u00a0{name}\u00a0»" for name in names]
    if not quoted:
        return ""
    if len(quoted) == 1:
        return _("à la liste %(list)s") % {"list": quoted[0]}
    return _("aux listes %(lists)s et %(last)s") % {"lists": ", ".join(quoted[:-1]), "last": quoted[-1]}


_PREFERENCES_MARK = "NEWSLETTERPREFERENCESURLMARK"
_UNSUBSCRIBE_MARK = "NEWSLETTERUNSUBSCRIBEURLMARK"


def _render_templates(
    *, issue: Issue, content: IssueContent, subject: str, list_names: list[str], test: bool, known: bool
) -> tuple[str, str]:
    web_url = settings.SITE_URL + issue.get_absolute_url() if issue.in_archive and issue.slug else ""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "issue": issue,
            "subject": subject,
            "title": content.subject,
            "preheader": content.preheader,
            "body_html": content.body_html,
            "body_text": content.body_text,
            "list_names": list_names,
            "lists_text": _lists_phrase(list_names),
            "preferences_url": _PREFERENCES_MARK,
            "unsubscribe_url": _UNSUBSCRIBE_MARK,
            "web_url": web_url,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "from_email": parseaddr(settings.NEWSLETTER_FROM_EMAIL)[1] or settings.NEWSLETTER_FROM_EMAIL,
            "postal_address": settings.NEWSLETTER_POSTAL_ADDRESS,
            "date": issue.sent_at or issue.sending_started_at or timezone.now(),
            "test": test,
            "subscriber_known": known,
            "colors": {
                "navy": NAVY,
                "red": RED,
                "red_dark": RED_DARK,
                "blue": BLUE,
                "blue_dark": BLUE_DARK,
                "grey": GREY,
                "line": LINE,
            },
            "font": FONT,
        }
        return (
            render_to_string("newsletter/email/issue.html", context),
            render_to_string("newsletter/email/issue.txt", context),
        )


def issue_email(
    *,
    issue: Issue,
    subscriber: Subscriber,
    content: IssueContent | None = None,
    list_names: list[str] | None = None,
    test: bool = False,
) -> IssueEmail:
    """The message of `issue` for `subscriber`: HTML and plain-text parts with their personal links in the
    footer, and the List-Unsubscribe headers (RFC 2369 and the one-click POST of RFC 8058).

    List-Unsubscribe carries the HTTPS link only, no mailto: nothing reads a mailbox for unsubscriptions here,
    and an address nobody processes would make « unsubscribe » wait for a person instead of taking effect at
    once. With `test`, the subject is marked « [TEST] ».
    """
    content = content or issue_content(issue=issue)
    if list_names is None:
        list_names = subscriber_list_names(issue=issue, subscriber=subscriber) if subscriber.pk else []
    links = subscriber_links(subscriber=subscriber, issue=issue)
    subject = (TEST_PREFIX if test else "") + content.subject
    # The templates are rendered once per letter and kind of footer, with markers where the personal links go:
    # a send to thousands then costs two string replacements per message, not two template renderings.
    key = (tuple(list_names), test, bool(subscriber.pk))
    if key not in content.rendered:
        content.rendered[key] = _render_templates(
            issue=issue,
            content=content,
            subject=subject,
            list_names=list_names,
            test=test,
            known=bool(subscriber.pk),
        )
    html, text = (
        part.replace(_PREFERENCES_MARK, links["preferences"]).replace(_UNSUBSCRIBE_MARK, links["unsubscribe"])
        for part in content.rendered[key]
    )
    headers = {
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id_header(),
    }
    if not test and subscriber.pk and issue.pk:
        headers["Message-ID"] = delivery_message_id(issue=issue, subscriber=subscriber)
    return IssueEmail(to=subscriber.email, subject=subject, html=html, text=text, headers=headers)
