import pytest


@pytest.fixture(autouse=True)
def _forget_spelling_dictionaries():
    """The search's dictionary is kept per index version and process; each test starts from its own database,
    whose version numbers start again from the same value."""
    from frenchbot.retrieval import spelling

    spelling._dictionaries.clear()
    yield
    spelling._dictionaries.clear()
