"""Signal handlers of the resources app (page cache, glossary links): connected in apps.py."""


def connect() -> None:
    return None
