"""The resources: guides, templates and check-lists, the prompt library, the glossary. Answered from what is
published, with links to the right page (the prompts of the use case the visitor names, the charter they ask
for); never from the passages of the resources themselves, which retrieval quotes for questions about AI."""

import re

from django.urls import reverse
from django.utils.translation import gettext as _

from frenchbot.core.text import fold, french_typography
from frenchbot.resources.models import Guide
from frenchbot.resources.selectors.guides import guides_find, guides_published, resources_counts
from frenchbot.resources.selectors.prompts import prompts_of_use_case, use_case_named

from .base import Intent, Reply, TurnContext

# What the message names, matched on the folded message.
_PROMPTS_RE = re.compile(r"\bprompt")
_GLOSSARY_RE = re.compile(r"glossaire|lexique|dictionnaire|vocabulaire|\bdefinitions?\b|\btermes\b")
_CHARTER_RE = re.compile(r"\bchartes?\b")
_TEMPLATE_RE = re.compile(r"\bmodeles?\b|\btemplates?\b|\btrames?\b")
_CHECKLIST_RE = re.compile(r"check[- ]?lists?|\bchecklists?\b|liste de controle|liste de verification")
# Markdown that a title must not carry into the reply: a « [ » or a « * » of the title is a character, not a link
# or emphasis; « < » would open HTML.
_MARKDOWN_RE = re.compile(r"([\\`*_\[\]<>~])")
_SHOWN = 6
_PROMPTS_SHOWN = 3


def _plain(text: str) -> str:
    return _MARKDOWN_RE.sub(r"\\\1", text)


def _guide_line(guide: Guide) -> str:
    details = [str(guide.get_kind_display()).lower()]
    if guide.is_gated:
        details.append(_("envoyé par e-mail"))
    return f"- [**{_plain(guide.title)}**]({guide.get_absolute_url()}) ({', '.join(details)})"


def _gated_note(guides: list[Guide]) -> str:
    if not any(guide.is_gated for guide in guides):
        return ""
    return _("Pour un document envoyé par e-mail, laissez simplement votre adresse sur sa page.")


class ResourcesIntent(Intent):
    def reply(self, *, message: str, user=None, context: TurnContext | None = None) -> Reply:
        folded = fold(message)
        counts = resources_counts()
        hub = {"kind": "resources", "label": _("Toutes nos ressources"), "url": reverse("resources:index")}
        prompts_door = {
            "kind": "resources",
            "label": _("La bibliothèque de prompts"),
            "url": reverse("resources:prompts"),
        }
        glossary_door = {
            "kind": "resources",
            "label": _("Le glossaire de l'IA"),
            "url": reverse("resources:glossary"),
        }
        if _PROMPTS_RE.search(folded) and counts["prompts"]:
            return self._prompts(message=message, count=counts["prompts"], doors=[hub, glossary_door])
        if _GLOSSARY_RE.search(folded) and counts["terms"]:
            text = _(
                "Notre [glossaire de l'IA](%(url)s) explique %(n)d termes en langage clair. Vous pouvez aussi "
                "me demander directement ce que veut dire un mot : « c'est quoi un LLM ? »."
            ) % {"url": reverse("resources:glossary"), "n": counts["terms"]}
            return Reply(text=french_typography(text), suggestions=[hub, prompts_door])
        kinds = []
        if _TEMPLATE_RE.search(folded):
            kinds.append(Guide.Kind.TEMPLATE)
        if _CHECKLIST_RE.search(folded):
            kinds.append(Guide.Kind.CHECKLIST)
        words = ["charte"] if _CHARTER_RE.search(folded) else []
        guides = guides_find(kinds=kinds, words=words, limit=_SHOWN) if kinds or words else []
        if guides:
            intro = _("Voici ce que nous avons, gratuitement :")
            parts = [intro + "\n\n" + "\n".join(_guide_line(guide) for guide in guides), _gated_note(guides)]
            return Reply(
                text=french_typography("\n\n".join(part for part in parts if part)),
                suggestions=[hub, prompts_door],
            )
        return self._hub(
            message=message, user=user, context=context, counts=counts, doors=[prompts_door, glossary_door]
        )

    def _prompts(self, *, message: str, count: int, doors: list[dict]) -> Reply:
        library = reverse("resources:prompts")
        use_case = use_case_named(text=message)
        prompts = prompts_of_use_case(use_case=use_case, limit=_PROMPTS_SHOWN) if use_case else []
        if use_case and prompts:
            filtered = f"{library}?usage={use_case.slug}"
            lines = "\n".join(
                f"- [**{_plain(prompt.title)}**]({prompt.get_absolute_url()})" for prompt in prompts
            )
            text = "\n\n".join(
                [
                    _("Notre bibliothèque a des prompts prêts à l'emploi pour « %(name)s », par exemple :")
                    % {"name": _plain(use_case.name)}
                    + "\n\n"
                    + lines,
                    _(
                        "Tous les prompts de ce cas d'usage sont [sur cette page](%(url)s) : remplacez les passages "
                        "entre crochets par vos informations, puis copiez le prompt."
                    )
                    % {"url": filtered},
                ]
            )
            use_case_door = {"kind": "resources", "label": use_case.name, "url": filtered}
            suggestions = [
                use_case_door,
                {"kind": "resources", "label": _("Toute la bibliothèque de prompts"), "url": library},
            ]
            return Reply(text=french_typography(text), suggestions=suggestions)
        text = _(
            "Notre [bibliothèque de prompts](%(url)s) en compte %(n)d, prêts à l'emploi et classés par cas "
            "d'usage (e-mails, ventes, ressources humaines…) : remplacez les passages entre crochets par vos "
            "informations, puis copiez le prompt."
        ) % {"url": library, "n": count}
        return Reply(
            text=french_typography(text),
            suggestions=[
                {"kind": "resources", "label": _("La bibliothèque de prompts"), "url": library},
                *doors,
            ],
        )

    def _hub(self, *, message, user, context, counts: dict[str, int], doors: list[dict]) -> Reply:
        guides = list(guides_published()[:_SHOWN])
        doors = [
            door for door, count in zip(doors, (counts["prompts"], counts["terms"]), strict=True) if count
        ]
        if not guides and not doors:
            return super().reply(message=message, user=user, context=context)
        parts = [
            _("Nos ressources sont gratuites et rassemblées sur [une seule page](%(url)s).")
            % {"url": reverse("resources:index")}
        ]
        if guides:
            parts.append(
                _("Nos guides et modèles :") + "\n\n" + "\n".join(_guide_line(guide) for guide in guides)
            )
            parts.append(_gated_note(guides))
        others = []
        if counts["prompts"]:
            others.append(
                _("une [bibliothèque de %(n)d prompts](%(url)s) prêts à l'emploi")
                % {"n": counts["prompts"], "url": reverse("resources:prompts")}
            )
        if counts["terms"]:
            others.append(
                _("un [glossaire de l'IA](%(url)s) de %(n)d termes")
                % {"n": counts["terms"], "url": reverse("resources:glossary")}
            )
        if others:
            parts.append(_("Vous y trouverez aussi %(list)s.") % {"list": " et ".join(others)})
        hub = {"kind": "resources", "label": _("Voir nos ressources"), "url": reverse("resources:index")}
        return Reply(text=french_typography("\n\n".join(parts)), suggestions=[hub, *doors])


intent_class = ResourcesIntent
