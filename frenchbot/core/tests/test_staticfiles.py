"""Static files are collected as WhiteNoise serves them, compressed once per distinct content."""

import pytest
from django.core.management import call_command

from frenchbot.core.staticfiles import BROTLI_BEST_BELOW

brotli = pytest.importorskip(
    "brotli", reason="Brotli compression needs the brotli package: pip install brotli"
)


@pytest.fixture
def sources(settings, tmp_path):
    source = tmp_path / "src"
    (source / "js").mkdir(parents=True)
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "frenchbot.core.staticfiles.StaticFilesStorage"},
    }
    return source


def test_every_file_and_its_hashed_twin_are_served_compressed(sources, settings):
    (sources / "js" / "app.js").write_text("const réponse = 'bonjour';\n" * 200)
    (sources / "js" / "big.js").write_text("".join(f"var v{i} = {i * 7919 % 1000};\n" for i in range(8000)))
    (sources / "js" / "big.js.map").write_text('{"mappings": "' + "AAAA;" * 20000 + '"}')
    call_command("collectstatic", interactive=False, verbosity=0)
    collected = settings.STATIC_ROOT / "js"
    hashed = sorted(path.name for path in collected.glob("app.*.js"))
    assert len(hashed) == 1
    for name in ("app.js", hashed[0]):
        assert (
            brotli.decompress((collected / f"{name}.br").read_bytes())
            == (sources / "js" / "app.js").read_bytes()
        )
        assert (collected / f"{name}.gz").exists()
    # The large vendor bundle is compressed too (at a faster level); source maps are for devtools only.
    big = (sources / "js" / "big.js").read_bytes()
    assert len(big) >= BROTLI_BEST_BELOW
    assert brotli.decompress((collected / "big.js.br").read_bytes()) == big
    assert not list(collected.glob("*.map.br")) and not list(collected.glob("*.map.gz"))
