"""Fenced code blocks are highlighted on the server with CSS classes, and stay safe."""

import pytest

from frenchbot.core.text import highlight_code, render_markdown


def test_known_language_gets_token_classes():
    html = render_markdown("```python\ndef bonjour():\n    return 42\n```")
    assert '<pre class="highlight"><code class="language-python">' in html
    assert '<span class="k">def</span>' in html
    assert '<span class="nf">bonjour</span>' in html
    assert '<span class="mi">42</span>' in html
    assert "style=" not in html


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("bash", "echo $HOME"),
        ("json", '{"a": 1}'),
        ("js", "const a = 1;"),
        ("html", "<p>Bonjour</p>"),
    ],
)
def test_common_languages_are_highlighted(language, code):
    html = render_markdown(f"```{language}\n{code}\n```")
    assert '<pre class="highlight">' in html
    assert "<span class=" in html


@pytest.mark.parametrize("fence", ["```klingon\n", "```\n"])
def test_unknown_or_absent_language_stays_plain_and_escaped(fence):
    html = render_markdown(fence + "<b>gras</b>\n```")
    assert "<span" not in html
    assert 'class="highlight"' not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


def test_script_inside_code_is_escaped():
    html = render_markdown("```html\n<script>alert('x')</script>\n```")
    assert "<script" not in html
    assert "&lt;" in html and '<span class="nt">script</span>' in html


def test_writer_cannot_smuggle_classes_or_spans():
    # Raw HTML is off in Markdown; the sanitiser keeps only the highlighter's own classes even if it were on.
    html = render_markdown('<span class="k" onclick="x()">a</span>')
    assert "<span" not in html
    from frenchbot.core.text import sanitize_html

    cleaned = sanitize_html('<span class="k evil" style="color:red">a</span><p class="x">b</p>')
    assert cleaned == '<span class="k">a</span><p>b</p>'


def test_a_hostile_info_string_adds_no_attribute():
    from html.parser import HTMLParser

    assert highlight_code("x", 'python" onmouseover="x') == ""
    attributes = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes.extend(name for name, _ in attrs)

    Collect().feed(render_markdown('```python" onmouseover="x\nprint(1)\n```'))
    assert set(attributes) <= {"class"}
