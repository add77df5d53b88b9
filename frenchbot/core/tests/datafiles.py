"""Test helpers for the apps' demo data files: a copy a test may break, and breaking it."""

import shutil
from pathlib import Path


def demo_data_copy(demo_module, *, tmp_path: Path, monkeypatch) -> Path:
    """A copy of `demo_module`'s data files (at the same `frenchbot/<app>/demo` path, so that error messages name
    the same file), which the loader reads instead of the real ones for the rest of the test."""
    real = Path(demo_module.DEMO_DIR)
    copy = tmp_path.joinpath(*real.parts[real.parts.index("frenchbot") :])
    shutil.copytree(real, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    monkeypatch.setattr(demo_module, "DEMO_DIR", copy)
    return copy


def data_file_break(path: Path, old: str, new: str) -> None:
    """Replace the first `old` by `new` in the file; `old` must be there, so the test breaks what it means to."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
