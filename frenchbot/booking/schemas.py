"""Input and output of the booking API (documented at /api/docs)."""

import datetime

from ninja import Field, Schema

from frenchbot.core.schemas import ErrorOut


class EventTypeOut(Schema):
    slug: str = Field(description="Identifiant à passer dans `event_type`.")
    name: str = Field(description="Nom affiché, en français.")
    description: str = Field(description="Présentation en quelques phrases.")
    duration_minutes: int = Field(description="Durée du rendez-vous, en minutes.")


class SlotOut(Schema):
    start: datetime.datetime = Field(description="Début, ISO 8601 avec le décalage du fuseau demandé (`tz`).")
    end: datetime.datetime = Field(description="Fin, ISO 8601 avec le même décalage.")


class BookingIn(Schema):
    """Every field is read as text and checked by the site, so that every mistake gets a French message."""

    event_type: str | None = Field(
        None, description="Slug du type de rendez-vous (voir /api/booking/event-types)."
    )
    start: str | None = Field(
        None,
        description="Début choisi parmi les créneaux libres, ISO 8601 avec décalage : 2026-11-27T14:30:00+01:00.",
    )
    name: str | None = Field(None, description="Nom du visiteur.")
    email: str | None = Field(
        None, description="E-mail du visiteur : la confirmation et l'invitation y partent."
    )
    consent: bool | str | None = Field(
        None,
        description="Doit valoir true : le visiteur accepte le texte `consent_text` (ou celui du site par défaut).",
    )
    consent_text: str | None = Field(
        None, description="Le texte de consentement exactement tel que présenté au visiteur (facultatif)."
    )
    company: str | None = Field(None, description="Entreprise (facultatif).")
    message: str | None = Field(None, description="Ce que le visiteur aimerait aborder (facultatif).")
    locale: str | None = Field(None, description="Langue des e-mails : `fr` (par défaut) ou `en`.")
    audit: str | None = Field(
        None,
        description="Identifiant (UUID) du rapport d'audit IA rempli avant de réserver : joint pour l'équipe (facultatif).",
    )
    tz: str | None = Field(
        None, description="Fuseau IANA du visiteur pour les e-mails, par défaut Europe/Paris."
    )


class BookingOut(Schema):
    id: str = Field(description="Identifiant public du rendez-vous.")
    event_type: str = Field(description="Slug du type de rendez-vous.")
    start: datetime.datetime = Field(description="Début, ISO 8601, dans le fuseau du visiteur.")
    end: datetime.datetime = Field(description="Fin, ISO 8601, dans le fuseau du visiteur.")
    status: str = Field(description="`confirmed` ou `cancelled`.")
    member: str = Field(description="Membre de l'équipe qui prend le rendez-vous.")
    manage_url: str = Field(
        description="Lien signé pour voir, annuler ou déplacer le rendez-vous, sans compte."
    )


class TakenOut(ErrorOut):
    slots: list[SlotOut] = Field(description="Créneaux encore libres ce jour-là et les jours suivants.")
