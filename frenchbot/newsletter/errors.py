from frenchbot.core.errors import DomainError


class NewsletterError(DomainError):
    """A refusal to show a person: `message` in French, `field` where it belongs in a form, and a `code`."""


class NewsletterLinkError(DomainError):
    """A link from an e-mail that leads nowhere: altered, for another action, or (code "expired") too old."""

    @property
    def expired(self) -> bool:
        return self.code == "expired"
