from frenchbot.core.errors import DomainError


class SessionError(DomainError):
    """A registration, a signature, a survey, a convention or a complaint refused, with the French message to
    show the person."""
