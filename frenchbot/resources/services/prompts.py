"""Writes of the prompt library: a signed-in person's favourites."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from frenchbot.core.errors import DomainError
from frenchbot.core.ratelimit import rate_limit_hit
from frenchbot.resources.models import Prompt, PromptFavourite


class PromptError(DomainError):
    pass


def prompt_favourite_toggle(*, user, prompt: Prompt) -> bool:
    """Star `prompt` for `user`, or unstar it when it was starred; returns whether it is now a favourite.

    Counted per account (RESOURCES_FAVOURITE_RATE_LIMIT per RESOURCES_FAVOURITE_RATE_WINDOW seconds) so that
    a script cannot fill the table; raises PromptError (code « rate_limited ») beyond that."""
    if not getattr(user, "is_authenticated", False):
        raise PromptError(_("Connectez-vous pour garder vos favoris."), code="forbidden")
    if rate_limit_hit(
        scope="prompt_favourite",
        key=str(user.pk),
        limit=settings.RESOURCES_FAVOURITE_RATE_LIMIT,
        window_seconds=settings.RESOURCES_FAVOURITE_RATE_WINDOW,
    ):
        raise PromptError(
            _("Vous avez modifié beaucoup de favoris en peu de temps. Réessayez dans quelques minutes."),
            code="rate_limited",
        )
    with transaction.atomic():
        deleted, _details = PromptFavourite.objects.filter(user=user, prompt=prompt).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                PromptFavourite.objects.create(user=user, prompt=prompt)
        except IntegrityError:  # a double click raced this one and starred it first: it is starred
            pass
        return True
