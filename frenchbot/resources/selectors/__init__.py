"""Reads of the resources app, one module per kind: guides, prompts, glossary."""
