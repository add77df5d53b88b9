import pytest


@pytest.fixture(autouse=True)
def _forget_spelling_dictionaries(monkeypatch):
    """The search's dictionary is kept per index version and process; each test starts from its own database,
    whose version numbers start again from the same value. Tests see every change at once (no staleness)."""
    from frenchbot.retrieval import spelling

    monkeypatch.setattr(spelling, "STALE_SECONDS", 0)
    spelling._dictionaries.clear()
    yield
    spelling._dictionaries.clear()
