"""What resources give the bot's index and the site search: guides, prompts and glossary terms (written in
issue 15)."""

SOURCES: list = []
