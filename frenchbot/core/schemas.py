"""API schemas every app's router shares."""

from ninja import Field, Schema


class ErrorOut(Schema):
    """What a refusal answers (``DomainError.as_json()`` through the API's one handler, or ninja's own 422 for a
    malformed body, which has no code): the French sentence, the input it is about and the kind of refusal."""

    detail: str = Field(..., description="Ce qui ne va pas, en français, à montrer à la personne.")
    field: str | None = Field(None, description="Le champ concerné, ou null pour la requête entière.")
    code: str | None = Field(
        None,
        description=(
            "Le genre de refus, pour les programmes : invalid (422), not_found (404), forbidden (403), "
            "taken (409), rate_limited (429), unavailable (503), ou un code propre à l'application (422)."
        ),
    )
