from frenchbot.retrieval.chunking import chunk_markdown


def test_one_passage_per_short_section_with_its_anchor():
    chunks = chunk_markdown("Intro courte.\n\n## Le rôle\n\nDonnez un rôle.\n\n## Le format\n\nUn tableau.")
    assert [(c.heading, c.anchor, c.text) for c in chunks] == [
        ("", "", "Intro courte."),
        ("Le rôle", "le-role", "Donnez un rôle."),
        ("Le format", "le-format", "Un tableau."),
    ]


def test_long_sections_are_cut_on_blocks_and_never_exceed_the_limit():
    paragraph = " ".join(["mot"] * 70)
    chunks = chunk_markdown("## Section\n\n" + "\n\n".join([paragraph] * 6), max_words=180)
    assert len(chunks) == 3
    assert all(len(c.text.split()) <= 180 for c in chunks)
    assert all(c.anchor == "section" for c in chunks)


def test_a_huge_paragraph_without_sentence_ends_still_splits():
    chunks = chunk_markdown("mot " * 1000, max_words=180)
    assert sum(len(c.text.split()) for c in chunks) == 1000
    assert max(len(c.text.split()) for c in chunks) <= 180


def test_a_short_tail_joins_the_passage_before_it():
    long = " ".join(["mot"] * 170)
    chunks = chunk_markdown(f"{long}\n\nfin courte.", max_words=180, min_words=40)
    assert len(chunks) == 1
    assert chunks[0].text.endswith("fin courte.")
