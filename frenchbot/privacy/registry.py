"""Where apps declare the personal data they keep, and what the rights of the RGPD do to it.

Each app writes, in its own `privacy.py`, one `Treatment` per purpose (a line of the register of processing
activities: what for, on which legal basis, for how long, who sees it) and one `PersonalData` per model holding
personal data (which fields, how a person's rows are found, what erasure does to them). This app reads those
declarations and never imports an app: the « Mes données » pages, the archive, the erasure, the register and the
privacy policy are all built from them, so they cannot disagree.

A model that has a field looking personal (an e-mail, a name, an IP fingerprint, a link to an account, free text
typed by a person) but holds nothing about a person (a category's name) is declared with `not_personal` and the
reason; `tests/test_registry.py` fails on a model that is neither.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """Article 6 of the RGPD, as the register and the policy name them."""

    CONSENT = "consent", _("votre consentement")
    CONTRACT = "contract", _("l'exécution d'un contrat ou de mesures précontractuelles à votre demande")
    LEGITIMATE_INTEREST = "legitimate_interest", _("notre intérêt légitime")
    LEGAL_OBLIGATION = "legal_obligation", _("une obligation légale")


class Erasure(models.TextChoices):
    """What an erasure request does to a person's rows of one model."""

    DELETE = "delete", _("supprimé")
    ANONYMISE = "anonymise", _("anonymisé")
    KEEP = "keep", _("conservé")


@dataclass(frozen=True)
class Subject:
    """The person a request is about, as proven: the e-mail addresses they control (lower-cased), their account
    if they have one, and the browser sessions they asked from (the bot's conversations are tied to those)."""

    emails: tuple[str, ...] = ()
    user_id: int | None = None
    session_keys: tuple[str, ...] = ()
    # The keyed fingerprints of the addresses the person wrote from, read from their own rows (a comment, a
    # consent) before anything is erased: what ties them to rows that hold nothing else (a poll vote).
    ip_fingerprints: tuple[str, ...] = ()

    def __post_init__(self):
        emails = tuple(sorted({email.strip().lower() for email in self.emails if email and email.strip()}))
        object.__setattr__(self, "emails", emails)
        keys = tuple(sorted({key for key in self.session_keys if key}))
        object.__setattr__(self, "session_keys", keys)
        object.__setattr__(self, "ip_fingerprints", tuple(sorted({f for f in self.ip_fingerprints if f})))

    @property
    def is_empty(self) -> bool:
        return not (self.emails or self.user_id or self.session_keys)


Text = str | Promise


@dataclass(frozen=True)
class Treatment:
    """One processing activity (a line of the « registre des traitements », a section of the privacy policy)."""

    key: str  # "blog.comments"
    name: Text  # « Commentaires des articles »
    purpose: Text  # what it is for, one sentence
    legal_basis: str  # a LegalBasis value
    # The paragraph(s) of the privacy policy: what is kept and how, said to the visitor.
    description: Text | tuple[Text, ...]
    categories: tuple[Text, ...]  # categories of data (« identité », « e-mail », « texte du commentaire »)
    people: Text  # whose data (« les visiteurs qui commentent »)
    # How long, said in words; a callable when it follows a setting (read when shown, never stale).
    retention: Text | Callable[[], Text]
    recipients: Text = _("l'équipe de The French Bot")
    # True when the configured AI provider may receive part of this data (the policy then names it).
    ai_processing: bool = False
    order: int = 100  # position in the register and the policy

    def retention_text(self) -> str:
        return str(self.retention() if callable(self.retention) else self.retention)

    def paragraphs(self) -> list[str]:
        texts = self.description if isinstance(self.description, tuple) else (self.description,)
        return [str(text) for text in texts]

    def legal_basis_label(self) -> str:
        return str(LegalBasis(self.legal_basis).label)


class PersonalData:
    """The contract an app implements for one model holding personal data.

    `rows(subject)` finds the person's rows; `export_row` says them in a readable dict; `erase(rows)` applies
    `erasure` (delete, anonymise the `fields`, or keep with `kept_because`) and returns how many rows it touched.
    `name_fields` and `email_fields` are corrected by a rectification. `files(row)` adds files to the archive.
    Subclasses set the class attributes and implement `rows`; the rest has defaults that fit most models.
    """

    model: type[models.Model]
    treatment: Treatment
    fields: tuple[str, ...] = ()  # the personal fields (exported; checked by the registry test)
    label: Text = ""  # what the person calls these rows, plural (« Vos commentaires »)
    # The title of the app's section on « Mes données » when its verbose name says nothing to a visitor.
    module_name: Text = ""
    erasure: str = Erasure.DELETE
    # Said to the person before they confirm an erasure: what happens to these rows, in one sentence.
    erasure_text: Text = ""
    name_fields: tuple[str, ...] = ()
    email_fields: tuple[str, ...] = ()
    # Erasure runs app by app, each app in one transaction, apps in the order of their lowest `erase_order` and
    # declarations within an app by theirs: children before the rows their lookup depends on, and the apps that
    # others point to (leads, accounts) last.
    erase_order: int = 100

    def rows(self, subject: Subject) -> models.QuerySet:
        """The person's rows of `model`; an empty queryset when `subject` gives nothing to look them up by."""
        raise NotImplementedError

    def export_row(self, row: models.Model) -> dict[str, Any]:
        """One row as the person reads it: field labels → values (dates and times in ISO 8601)."""
        data: dict[str, Any] = {}
        for name in self.fields:
            model_field = self.model._meta.get_field(name)
            value = getattr(row, model_field.attname if model_field.is_relation else name)
            if model_field.is_relation:
                related = getattr(row, name, None)
                value = str(related) if related is not None else None
            data[str(model_field.verbose_name)] = _plain(value)
        return data

    def anonymised_values(self) -> dict[str, Any]:
        """The value each personal field takes when a row is anonymised: empty, or null where allowed."""
        values: dict[str, Any] = {}
        for name in self.fields:
            model_field = self.model._meta.get_field(name)
            if model_field.null:
                values[model_field.attname] = None
            elif isinstance(model_field, models.JSONField):
                values[name] = model_field.get_default()
            else:
                values[name] = ""
        return values

    def erase(self, rows: models.QuerySet) -> int:
        """Apply `erasure` to the person's rows; the number of rows deleted, anonymised or kept."""
        if self.erasure == Erasure.DELETE:
            count = rows.count()
            rows.delete()
            return count
        if self.erasure == Erasure.ANONYMISE:
            return rows.update(**self.anonymised_values())
        return rows.count()

    def rectify(self, rows: models.QuerySet, *, name: str | None, email: str | None) -> int:
        """Correct the person's name and e-mail in their rows; the number of rows changed."""
        values = {}
        if name is not None:
            values.update(
                {field_name: name[: self._max_length(field_name)] for field_name in self.name_fields}
            )
        if email is not None:
            values.update({field_name: email for field_name in self.email_fields})
        return rows.update(**values) if values else 0

    def ip_fingerprints(self, rows: models.QuerySet) -> set[str]:
        """The IP fingerprints the person's rows hold (see `Subject.ip_fingerprints`)."""
        names = [name for name in self.fields if name in ("ip_fingerprint", "ip_hash")]
        found: set[str] = set()
        for name in names:
            found.update(value for value in rows.values_list(name, flat=True) if value)
        return found

    def files(self, row: models.Model) -> list[tuple[str, bytes]]:
        """Files of this row the person gets in their archive: (name in the archive, content)."""
        return []

    # What the person is told their rows become, the default following `erasure`.
    def erasure_summary(self) -> str:
        return str(self.erasure_text) if self.erasure_text else str(Erasure(self.erasure).label)

    @property
    def app_label(self) -> str:
        """The app that declared it (a `<app>/privacy.py`), which may declare a library's models (accounts
        declares Django's users and allauth's addresses): its section on « Mes données » and its transaction."""
        module = type(self).__module__
        if module.startswith("frenchbot.") and module.endswith(".privacy"):
            return module.split(".")[1]
        return self.model._meta.app_label

    @property
    def model_label(self) -> str:
        return self.model._meta.label

    def _max_length(self, field_name: str) -> int | None:
        return self.model._meta.get_field(field_name).max_length


@dataclass(frozen=True)
class Consent:
    """A consent the person gave and can withdraw in one click (a subscription, the follow-up of an audit)."""

    key: str  # unique within the declaration: "newsletter:<public id>"
    label: str  # « Lettre d'information : Actualités IA »
    given_at: Any = None
    withdraw: Callable[[], None] = field(default=lambda: None, compare=False)


class ConsentSource:
    """The contract of an app whose consents can be withdrawn from « Mes données »."""

    treatment: Treatment

    def consents(self, subject: Subject) -> list[Consent]:
        raise NotImplementedError


_treatments: dict[str, Treatment] = {}
_declarations: dict[str, PersonalData] = {}
_consent_sources: list[ConsentSource] = []
_not_personal: dict[str, str] = {}


def register(declaration: PersonalData) -> PersonalData:
    """Declare one model's personal data (and its treatment). Called from each app's `privacy.py`."""
    treatment = declaration.treatment
    known = _treatments.get(treatment.key)
    if known is not None and known != treatment:
        raise ValueError(f"Two different treatments are declared under the key {treatment.key!r}.")
    _treatments[treatment.key] = treatment
    _declarations[declaration.model_label] = declaration
    return declaration


def register_consents(source: ConsentSource) -> ConsentSource:
    _treatments.setdefault(source.treatment.key, source.treatment)
    if source not in _consent_sources:
        _consent_sources.append(source)
    return source


def register_treatment(treatment: Treatment) -> Treatment:
    """A treatment with no model of its own (the audience measure, whose rows concern nobody once counted)."""
    _treatments.setdefault(treatment.key, treatment)
    return treatment


def not_personal(label: str, reason: str) -> None:
    """Say why a model ("blog.Category") or one field ("leads.LeadEvent.author") that looks personal holds
    nothing about a person the rights apply to (a category's name; the staff member who wrote a note, which
    Django sets to nothing when their account goes)."""
    _not_personal[label] = reason


def declarations() -> list[PersonalData]:
    return sorted(_declarations.values(), key=lambda d: (d.treatment.order, d.app_label, d.erase_order))


def declaration_for(model_label: str) -> PersonalData | None:
    return _declarations.get(model_label)


def declarations_by_app() -> dict[str, list[PersonalData]]:
    """App label → its declarations in erasure order; apps in the order of their first treatment."""
    grouped: dict[str, list[PersonalData]] = {}
    for declaration in declarations():
        grouped.setdefault(declaration.app_label, []).append(declaration)
    ordered = sorted(grouped.items(), key=lambda item: min(d.erase_order for d in item[1]))
    return {app: sorted(items, key=lambda d: d.erase_order) for app, items in ordered}


def treatments() -> list[Treatment]:
    return sorted(_treatments.values(), key=lambda t: (t.order, t.key))


def consent_sources() -> list[ConsentSource]:
    return list(_consent_sources)


def not_personal_models() -> dict[str, str]:
    return dict(_not_personal)


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def empty(model: type[models.Model]) -> models.QuerySet:
    return model._default_manager.none()


def by_emails(model: type[models.Model], field_name: str, subject: Subject) -> models.QuerySet:
    """Rows whose `field_name` is one of the subject's addresses, whatever their case."""
    if not subject.emails:
        return empty(model)
    query = models.Q()
    for email in subject.emails:
        query |= models.Q(**{f"{field_name}__iexact": email})
    return model._default_manager.filter(query)


def by_fingerprints(model: type[models.Model], field_name: str, subject: Subject) -> models.QuerySet:
    if not subject.ip_fingerprints:
        return empty(model)
    return model._default_manager.filter(**{f"{field_name}__in": subject.ip_fingerprints})


def by_user(model: type[models.Model], field_name: str, subject: Subject) -> models.QuerySet:
    if subject.user_id is None:
        return empty(model)
    return model._default_manager.filter(**{field_name: subject.user_id})
