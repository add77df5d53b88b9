from frenchbot.core.errors import DomainError


class EventError(DomainError):
    """A refusal to show a person: `message` in French, `field` where it belongs in a form, and a `code`
    ("full", "past", "email", "consent", "duplicate", …)."""


class EventLinkError(DomainError):
    """A link from an e-mail that leads nowhere: altered, for another action, or (code "expired") too old."""

    @property
    def expired(self) -> bool:
        return self.code == "expired"
