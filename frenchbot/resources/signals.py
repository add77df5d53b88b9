"""Signal handlers of the resources app (page cache, glossary links): connected in apps.py."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from frenchbot.core.pagecache import pagecache_invalidate


def glossary_changed(sender, raw=False, **kwargs) -> None:
    """A term changed: articles link to the terms as they are now. The glossary version moves on inside the
    same transaction as the change (no reader sees the new version with the old terms); cached public pages
    (articles with their links, the glossary) are retired once it is committed."""
    if raw:
        return
    from .selectors.glossary import glossary_version_bump

    glossary_version_bump()
    transaction.on_commit(pagecache_invalidate)


def library_changed(sender, raw=False, action="", **kwargs) -> None:
    """A guide, a prompt, a use case, a tool or a link between rows changed: cached public pages are rendered
    afresh."""
    if raw or action.startswith("pre_"):
        return
    transaction.on_commit(pagecache_invalidate)


def connect() -> None:
    from .models import AiTool, GlossaryTerm, Guide, Prompt, UseCase

    for signal, name in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(glossary_changed, sender=GlossaryTerm, dispatch_uid=f"resources:glossary:{name}")
        for model in (Guide, Prompt, UseCase, AiTool):
            signal.connect(
                library_changed, sender=model, dispatch_uid=f"resources:library:{model.__name__}:{name}"
            )
    # Links between rows change pages (related terms, a prompt's tools, the « Ressources liées » of an article
    # or a training) but not which words link to the glossary.
    for through, name in (
        (GlossaryTerm.related.through, "term-related"),
        (Prompt.tools.through, "prompt-tools"),
        (Prompt.articles.through, "prompt-articles"),
        (Prompt.trainings.through, "prompt-trainings"),
        (Guide.articles.through, "guide-articles"),
        (Guide.trainings.through, "guide-trainings"),
    ):
        m2m_changed.connect(library_changed, sender=through, dispatch_uid=f"resources:library:{name}")
