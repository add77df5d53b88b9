"""PDF rendering reads only the site's static files: found by the finders in development, and under their hashed
names in STATIC_ROOT once collected (production); nothing outside it."""

import io
from pathlib import Path

import pypdf
import pytest
from django.template import engines

from frenchbot.core import pdf


def test_collected_hashed_static_files_are_read_from_static_root_only(tmp_path, settings):
    settings.STATIC_ROOT = str(tmp_path / "static")
    (tmp_path / "static" / "img").mkdir(parents=True)
    (tmp_path / "static" / "img" / "logo.0123abcd.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'/>"
    )
    (tmp_path / "secret.txt").write_text("not for PDFs")

    found = pdf._static_path(f"{settings.STATIC_URL}img/logo.0123abcd.svg")
    assert found is not None and found.name == "logo.0123abcd.svg"
    assert pdf._static_path(f"{settings.STATIC_URL}../secret.txt") is None
    assert pdf._static_path(f"{settings.STATIC_URL}img/missing.svg") is None
    # Development: the finders' own files, unhashed.
    assert pdf._static_path(f"{settings.STATIC_URL}img/logo.svg") is not None


@pytest.mark.django_db
def test_a_document_with_a_collected_font_and_image_renders_them(tmp_path, settings, monkeypatch):
    from django.contrib.staticfiles import finders

    font = finders.find("fonts/inter/inter-latin-400-normal.woff2")
    settings.STATIC_ROOT = str(tmp_path)
    (tmp_path / "inter.abc123.woff2").write_bytes(Path(font).read_bytes())
    template = engines["django"].from_string(
        "<style>@font-face { font-family: Inter; src: url('/static/inter.abc123.woff2'); }"
        "body { font-family: Inter; }</style><p>Feuille d'émargement</p>"
    )
    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: template.render(context))
    content = pdf.pdf_render(template_name="inline", context={})
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert "Feuille d'émargement" in reader.pages[0].extract_text()
    fonts = reader.pages[0]["/Resources"]["/Font"].values()
    assert any("Inter" in str(font.get_object()["/BaseFont"]) for font in fonts)
