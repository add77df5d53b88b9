import re

from hypothesis import given
from hypothesis import strategies as st

from frenchbot.core.text import (
    count_links,
    fold,
    french_typography,
    parse_front_matter,
    reading_time_minutes,
    render_markdown,
    single_line,
    slugify_heading,
)


def test_headings_get_anchors_and_h1_is_demoted():
    html = render_markdown("# Titre\n\n## Écrire un prompt\n\n## Écrire un prompt")
    assert "<h1" not in html
    assert '<h2 id="titre">Titre</h2>' in html
    assert '<h2 id="ecrire-un-prompt">' in html
    assert '<h2 id="ecrire-un-prompt-2">' in html


def test_tables_and_code_survive_sanitising():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nprompt\n```")
    assert "<table>" in html
    assert "<pre><code>prompt" in html


def test_links_are_kept_with_safe_rel():
    html = render_markdown("[Mistral](https://mistral.ai)")
    assert 'href="https://mistral.ai"' in html
    assert "noopener" in html


@given(st.text(max_size=300))
def test_no_raw_html_ever_comes_out(text):
    html = render_markdown(text + "<script>alert(1)</script><iframe src=x></iframe>")
    assert "<script" not in html
    assert "<iframe" not in html
    assert not re.search(r"<[a-z][^>]*\son\w+=", html)


def test_reading_time_never_below_one_minute():
    assert reading_time_minutes("") == 1
    assert reading_time_minutes("mot " * 460) == 2


def test_count_links():
    assert count_links("voir https://a.fr, http://b.fr et www.c.fr mais pas c.fr") == 3


def test_fold_and_slug():
    assert fold("Élève à l'école") == "eleve a l'ecole"
    assert slugify_heading("RGPD : ce qu'il faut savoir !") == "rgpd-ce-qu-il-faut-savoir"
    assert slugify_heading("!!!") == "section"


def test_french_analysis():
    from frenchbot.core.text import french_analyze

    assert french_analyze("L'IA générative aide les entreprises") == ["ia", "gener", "aid", "entrepris"]
    # Elision with the typographic apostrophe, accents and case do not matter.
    assert french_analyze("d’Intelligence") == french_analyze("intelligence")
    assert french_analyze("Données") == french_analyze("donnee")
    assert french_analyze("le la les de des et ou") == []
    assert french_analyze("😀 ?! ***") == []
    assert french_analyze("97,4 milliards") == ["97", "4", "milliard"]


def test_markdown_sections_share_the_anchors_of_the_page():
    from frenchbot.core.text import markdown_sections

    source = "Intro.\n\n## Écrire un prompt\n\nTexte **gras**.\n\n- un\n- deux\n\n## Écrire un prompt\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    html = render_markdown(source)
    sections = markdown_sections(source)
    assert sections[0] == ("", "", ["Intro."])
    assert sections[1] == ("Écrire un prompt", "ecrire-un-prompt", ["Texte gras.", "un", "deux"])
    assert sections[2][1] == "ecrire-un-prompt-2"
    assert sections[2][2] == ["a | b", "1 | 2"]
    for _, anchor, _ in sections[1:]:
        assert f'id="{anchor}"' in html


def test_french_typography_keeps_signs_and_numbers_with_their_words():
    assert french_typography("Prix : 1 900 € ; « Bonjour » ! À 14 h 30, 20 %") == (
        "Prix\u00a0: 1\u00a0900\u00a0€\u00a0; «\u00a0Bonjour\u00a0»\u00a0! À 14\u00a0h\u00a030, 20\u00a0%"
    )


def test_single_line_removes_every_kind_of_line_break():
    assert single_line("Marie\r\nBcc: x@example.com\u2028\tDupont\x00") == "Marie Bcc: x@example.com Dupont"
    assert single_line("Société\u00a0Générale") == "Société\u00a0Générale"


def test_front_matter_is_read_and_a_text_without_one_is_all_body():
    assert parse_front_matter("---\ntitle: Les bases\nminutes: 12\n---\n\nCorps\n") == (
        {"title": "Les bases", "minutes": "12"},
        "Corps\n",
    )
    assert parse_front_matter("Pas d'en-tête\n") == ({}, "Pas d'en-tête\n")
