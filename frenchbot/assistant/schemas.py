from ninja import Field, Schema


class QuestionIn(Schema):
    content: str = Field(..., description="La question du visiteur (2 000 caractères au plus).")
    timezone: str = Field(
        "Europe/Paris",
        description="Le fuseau horaire IANA du visiteur : les créneaux proposés dans la conversation y sont "
        "exprimés.",
    )


class SourceOut(Schema):
    label: str = Field(..., description="Numéro de l'extrait, tel que la réponse le cite, ex. « [1] ».")
    title: str
    heading: str = ""
    url: str = Field(..., description="Adresse de la page, avec l'ancre du passage.")


class SuggestionOut(Schema):
    kind: str = Field(..., description="training, audit ou booking.")
    label: str
    url: str


class MessageOut(Schema):
    id: int
    role: str = Field(..., description="user ou assistant.")
    content: str = Field(..., description="Le texte (Markdown pour l'assistant).")
    html: str = Field("", description="La réponse rendue en HTML sûr (assistant seulement).")
    status: str = Field(..., description="complete, stopped ou error.")
    error: str = ""
    sources: list[SourceOut] = []
    suggestions: list[SuggestionOut] = []
    provider: str = Field("", description="Qui a répondu (l'assistant est une IA).")
    actions: list[dict] = Field(
        [],
        description="Ce que le visiteur peut faire dans la conversation sous la réponse : chaque élément a un "
        "`type` (`slots`, `trainings`, `form`) et les mêmes données que l'événement du flux de ce nom.",
    )
    unanswered: bool = Field(False, description="Vrai quand nos contenus ne répondent pas à la question.")
    rating: int | None = Field(None, description="1 (utile), -1 (pas utile) ou null.")


class ConversationOut(Schema):
    id: str
    title: str
    messages: list[MessageOut]


class AnswerOut(Schema):
    message_id: int
    text: str
    html: str
    status: str
    sources: list[SourceOut] = []
    suggestions: list[SuggestionOut] = []
    provider: str = ""
    error: str = ""
    actions: list[dict] = []
    unanswered: bool = False
    notice: str = Field(
        "", description="Une phrase à montrer sous la réponse (l'index de recherche encore en préparation)."
    )


class FeedbackIn(Schema):
    rating: int = Field(..., description="1 (utile) ou -1 (pas utile).")
    comment: str = Field("", description="Un commentaire facultatif (2 000 caractères au plus).")


class BookingIn(Schema):
    event_type: str = Field(..., description="Le type de rendez-vous, tel que l'action `slots` le donne.")
    start: str = Field(..., description="Le début du créneau choisi, ISO 8601 avec décalage horaire.")
    name: str
    email: str
    consent: bool = Field(..., description="La case de consentement (son texte est celui de l'action).")
    timezone: str = Field("Europe/Paris", description="Le fuseau horaire IANA du visiteur.")


class BookingDoneOut(Schema):
    start: str
    end: str
    label: str = Field(..., description="Le créneau en toutes lettres, dans le fuseau du visiteur.")
    manage_url: str = Field(
        ..., description="La page du rendez-vous (confirmation, déplacement, annulation)."
    )


class BookingOut(Schema):
    booking: BookingDoneOut
    message: MessageOut = Field(..., description="La confirmation du bot, ajoutée à la conversation.")


class HandoffIn(Schema):
    name: str
    email: str
    message: str = Field("", description="Le message du visiteur pour l'équipe (facultatif).")
    consent: bool


class NewsletterIn(Schema):
    email: str
    consent: bool = Field(False, description="Le visiteur accepte le texte de consentement de l'action.")


class HandoffOut(Schema):
    message: MessageOut = Field(..., description="La réponse du bot, ajoutée à la conversation.")
