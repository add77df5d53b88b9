"""How an article's Markdown becomes the HTML a visitor reads: one function, used at save and by the editor's
live preview, so that the preview shows exactly what the site will."""

from frenchbot.core.text import render_markdown


def article_body_html(markdown: str) -> str:
    return render_markdown(markdown)
