"""What the free audit gives the bot's index: its page /audit/ as a visitor reads it (what the audit is, how long
it takes, the questionnaires offered) and what the report holds, so that « c'est quoi l'audit ? » or « l'audit
dure combien de temps ? » are answered from it. One document, brought up to date when a questionnaire changes."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frenchbot.core.htmltext import html_to_text, template_block_render
from frenchbot.retrieval.registry import IndexedItem, IndexSource

from . import selectors
from .models import Dimension, Level, Questionnaire

PAGE_ID = "start"


class AuditPageSource(IndexSource):
    name = "audits.page"
    label = gettext_lazy("Audit IA")
    # The page lists the active questionnaires: saving one re-indexes the page (whatever the row, one document).
    model = Questionnaire

    def items(self):
        yield self.page_item()

    def item(self, obj) -> IndexedItem:
        return self.page_item()

    def page_item(self) -> IndexedItem:
        with translation.override(settings.LANGUAGE_CODE):
            items = [
                {
                    "questionnaire": q,
                    "url": reverse("audits:questionnaire", args=[selectors.track_slug(q.track)]),
                }
                for q in selectors.questionnaires_active()
            ]
            page = html_to_text(template_block_render("audits/start.html", "content", {"items": items}))
            dimensions = "\n".join(f"- {label}" for _, label in Dimension.choices)
            levels = ", ".join(str(label) for _, label in Level.choices)
            report = "\n\n".join(
                [
                    "**" + _("Ce que contient le rapport d'audit") + "**",
                    _("Le rapport s'affiche dès la dernière réponse et se télécharge en PDF. Il donne :"),
                    "- "
                    + _("un score global sur 100 et votre niveau de maturité IA (%(levels)s) ;")
                    % {"levels": levels},
                    "- " + _("un score pour chacune des cinq dimensions évaluées :") + "\n" + dimensions,
                    "- "
                    + _(
                        "vos opportunités prioritaires : les tâches où l'IA vous fera gagner le plus de temps, avec "
                        "les outils adaptés, les heures gagnées par mois (estimation) et la difficulté de mise en "
                        "place."
                    ),
                    _(
                        "Pour aller plus loin, réservez un appel d'audit offert de 30 minutes avec notre équipe : "
                        "nous regardons ensemble vos résultats et par où commencer."
                    ),
                ]
            )
            title = _("Audit IA offert")
            url = reverse("audits:start")
        return IndexedItem(source_id=PAGE_ID, title=title, url=url, text=f"{page}\n\n{report}")
