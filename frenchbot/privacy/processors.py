"""Who else processes the visitors' data, read from the configuration: the AI provider of the bot and the
exercises, and the embeddings' endpoint. The privacy policy and the register name them, so that switching the
provider in the settings changes what the policy says (never a stale list)."""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Known public endpoints: who runs them and where they process data (their published terms).
_KNOWN_HOSTS = {
    "api.openai.com": ("OpenAI", gettext_lazy("États-Unis"), False),
    "api.mistral.ai": ("Mistral AI", gettext_lazy("France"), True),
    "api.x.ai": ("xAI", gettext_lazy("États-Unis"), False),
    "api.anthropic.com": ("Anthropic", gettext_lazy("États-Unis"), False),
    "generativelanguage.googleapis.com": ("Google", gettext_lazy("États-Unis"), False),
    "api.groq.com": ("Groq", gettext_lazy("États-Unis"), False),
    "api.deepseek.com": ("DeepSeek", gettext_lazy("Chine"), False),
    "api.together.xyz": ("Together AI", gettext_lazy("États-Unis"), False),
    "openrouter.ai": ("OpenRouter", gettext_lazy("États-Unis"), False),
}


@dataclass(frozen=True)
class Processor:
    """One external service that receives visitors' text."""

    role: str  # what it does for us (« rédige les réponses du bot »)
    name: str  # who runs it
    host: str
    location: str  # where it processes data, or that we do not know
    in_eu: bool | None  # None: unknown
    sent: str  # what it receives


def _is_local(host: str) -> bool:
    if host in ("localhost",) or host.endswith(".local") or host.endswith(".internal") or "." not in host:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


def _describe(host: str) -> tuple[str, str, bool | None]:
    name, location, in_eu = _KNOWN_HOSTS.get(host, (None, None, None))
    if name is None:
        for known, values in _KNOWN_HOSTS.items():
            if host.endswith("." + known):
                name, location, in_eu = values
                break
    if name is None:
        return host, _("lieu de traitement à vérifier auprès de ce prestataire"), None
    return name, str(location), in_eu


def ai_processors() -> list[Processor]:
    """The external services configured now; empty when everything runs on our own server."""
    found = []
    llm = settings.LLM_PROVIDERS.get(getattr(settings, "LLM_DEFAULT_PROVIDER", "default"), {})
    base_url = (llm.get("OPTIONS") or {}).get("base_url")
    if base_url:
        host = (urlsplit(base_url).hostname or "").lower()
        if host and not _is_local(host):
            name, location, in_eu = _describe(host)
            found.append(
                Processor(
                    role=_(
                        "modèle d'IA qui rédige les réponses du bot, commente les exercices et une partie du rapport d'audit"
                    ),
                    name=name,
                    host=host,
                    location=location,
                    in_eu=in_eu,
                    sent=_(
                        "vos questions au bot avec les échanges précédents de la conversation et des extraits de "
                        "nos contenus, les prompts écrits dans les exercices, les réponses au questionnaire "
                        "d'audit avec les scores ; jamais votre nom ni votre e-mail"
                    ),
                )
            )
    embedder = settings.RETRIEVAL_EMBEDDERS.get("default", {})
    base_url = (embedder.get("OPTIONS") or {}).get("base_url")
    if base_url:
        host = (urlsplit(base_url).hostname or "").lower()
        if host and not _is_local(host):
            name, location, in_eu = _describe(host)
            found.append(
                Processor(
                    role=_("service qui calcule la représentation des textes pour la recherche"),
                    name=name,
                    host=host,
                    location=location,
                    in_eu=in_eu,
                    sent=_("vos questions au bot et vos recherches, le temps de les comparer à nos contenus"),
                )
            )
    return found
