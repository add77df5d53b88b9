"""Writes of the resources app, one module per kind: guides (gated requests), prompts (favourites)."""
