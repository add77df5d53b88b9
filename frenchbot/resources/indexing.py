"""What resources give the bot's index and the site search: guides and templates, prompts and glossary terms.

Each text is written to be quoted: a guide's summary and body (for a gated guide, only its summary, its
introduction and the titles of its parts: the rest is sent by e-mail), a prompt's goal, the prompt itself, an
example of its output and the tools it suits, a term's definition and explanation. Saving or deleting a row
re-indexes it (the registry watches the models); the admin saves a prompt's tools in the same transaction as the
prompt, and indexing runs once it is committed, so the text names the tools as saved.
"""

from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.text import french_typography
from frenchbot.retrieval.registry import IndexedItem, IndexSource

from .models import GlossaryTerm, Guide, Prompt
from .selectors.guides import guide_teaser_html, guide_toc


def _join(parts) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


class GuideSource(IndexSource):
    name = "resources.guide"
    label = gettext_lazy("Guides")
    model = Guide

    def items(self):
        for guide in Guide.objects.filter(is_published=True):
            yield self.item(guide)

    def item(self, guide: Guide) -> IndexedItem | None:
        if not guide.is_published:
            return None
        with translation.override("fr"):
            kind = guide.get_kind_display()
            if guide.is_gated:
                parts = [
                    guide.summary,
                    strip_tags(guide_teaser_html(guide)),
                    _("Au sommaire : %(parts)s.")
                    % {"parts": " ; ".join(e.title for e in guide_toc(guide) if e.level == 2)}
                    if guide_toc(guide)
                    else "",
                    _(
                        "Ce guide est gratuit et envoyé par e-mail : laissez votre adresse sur sa page (rubrique "
                        "Ressources du site) pour recevoir le lien de téléchargement."
                    ),
                ]
            else:
                parts = [
                    guide.summary,
                    guide.body,
                    _("Ce guide est gratuit, à lire en ligne ou à télécharger en PDF sur sa page.")
                    if guide.body.strip()
                    else _("Ce modèle est gratuit, à télécharger sur sa page (rubrique Ressources du site)."),
                ]
            title = _("%(kind)s : %(title)s") % {"kind": kind, "title": guide.title}
        return IndexedItem(
            source_id=str(guide.pk),
            title=french_typography(title),
            url=guide.get_absolute_url(),
            text=french_typography(_join(parts)),
        )


class PromptSource(IndexSource):
    name = "resources.prompt"
    label = gettext_lazy("Prompts")
    model = Prompt

    def items(self):
        prompts = (
            Prompt.objects.filter(is_published=True).select_related("use_case").prefetch_related("tools")
        )
        for prompt in prompts:
            yield self.item(prompt)

    def item(self, prompt: Prompt) -> IndexedItem | None:
        if not prompt.is_published:
            return None
        with translation.override("fr"):
            tools = [tool.name for tool in prompt.tools.all()]
            parts = [
                _("Objectif : %(goal)s") % {"goal": prompt.goal},
                _("Le prompt (remplacez les mots entre crochets) :") + "\n\n" + prompt.body,
                _("Exemple de résultat :") + "\n\n" + prompt.example_output if prompt.example_output else "",
                _("Conseils : %(tips)s") % {"tips": prompt.tips} if prompt.tips else "",
                _("Outils adaptés : %(tools)s.") % {"tools": ", ".join(tools)} if tools else "",
                _("Cas d'usage : %(use_case)s.") % {"use_case": prompt.use_case.name},
            ]
            title = _("Prompt « %(title)s »") % {"title": prompt.title}
        return IndexedItem(
            source_id=str(prompt.pk),
            title=french_typography(title),
            url=prompt.get_absolute_url(),
            text=french_typography(_join(parts)),
        )


class GlossaryTermSource(IndexSource):
    name = "resources.glossaryterm"
    label = gettext_lazy("Glossaire")
    model = GlossaryTerm

    def items(self):
        for term in GlossaryTerm.objects.filter(is_published=True):
            yield self.item(term)

    def item(self, term: GlossaryTerm) -> IndexedItem | None:
        if not term.is_published:
            return None
        with translation.override("fr"):
            aliases = [alias.strip() for alias in term.aliases.split(",") if alias.strip()]
            parts = [
                _("%(term)s : %(definition)s") % {"term": term.term, "definition": term.short_definition},
                _("Autres formes : %(aliases)s.") % {"aliases": ", ".join(aliases)} if aliases else "",
                term.body,
            ]
            title = _("Glossaire : %(term)s") % {"term": term.term}
        return IndexedItem(
            source_id=str(term.pk),
            title=french_typography(title),
            url=term.get_absolute_url(),
            text=french_typography(_join(parts)),
        )


SOURCES: list = [GuideSource(), PromptSource(), GlossaryTermSource()]
