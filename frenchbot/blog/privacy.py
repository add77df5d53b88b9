"""The blog's personal data: the comments visitors write and the votes their browsers cast in polls.

The people who write the articles are staff: their accounts and author pages are not what these rights are for
(see the `not_personal` lines at the end).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frenchbot.privacy.registry import (
    Erasure,
    LegalBasis,
    PersonalData,
    Treatment,
    by_emails,
    by_fingerprints,
    not_personal,
    register,
)

from .models import Comment, PollVote
from .services import comments_erase

COMMENTS = Treatment(
    key="blog.comments",
    name=_("Commentaires"),
    purpose=_("Publier vos commentaires sous les articles et protéger le blog du spam."),
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    description=_(
        "Quand vous commentez, nous enregistrons votre nom, votre e-mail (jamais affiché), votre texte et "
        "une empreinte chiffrée de votre adresse IP, qui sert uniquement à limiter les abus. Base légale : "
        "notre intérêt légitime à animer le blog et à le protéger du spam."
    ),
    categories=(
        _("identité (le nom que vous signez)"),
        _("e-mail (jamais affiché)"),
        _("texte du commentaire"),
        _("empreinte chiffrée de l'adresse IP et nom du navigateur, contre les abus"),
    ),
    people=_("les visiteurs qui commentent les articles"),
    retention=_(
        "tant que l'article est en ligne, ou jusqu'à votre demande d'effacement (le commentaire est alors "
        "anonymisé ou supprimé, selon la règle indiquée avant que vous confirmiez)"
    ),
    order=40,
)


def _poll_retention() -> str:
    # Read when shown: the fingerprint's life follows RETENTION_POLL_FINGERPRINTS_DAYS (0 keeps it).
    days = settings.RETENTION_POLL_FINGERPRINTS_DAYS
    if not days:
        return str(_("l'empreinte de l'adresse IP et le vote sont conservés aussi longtemps que le sondage"))
    return ngettext(
        "l'empreinte de l'adresse IP est effacée au bout de %(days)d jour ; le vote reste compté, rattaché "
        "au seul identifiant aléatoire de votre navigateur, aussi longtemps que le sondage",
        "l'empreinte de l'adresse IP est effacée au bout de %(days)d jours ; le vote reste compté, rattaché "
        "au seul identifiant aléatoire de votre navigateur, aussi longtemps que le sondage",
        days,
    ) % {"days": days}


POLLS = Treatment(
    key="blog.polls",
    name=_("Sondages"),
    purpose=_("Compter chaque vote une seule fois."),
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    description=_(
        "Un cookie technique retient que votre navigateur a voté, et une empreinte chiffrée de votre adresse "
        "IP évite les votes multiples pendant 24 heures. Aucun suivi publicitaire."
    ),
    categories=(
        _("réponse choisie"),
        _("identifiant aléatoire du navigateur (cookie)"),
        _("empreinte chiffrée de l'adresse IP"),
    ),
    people=_("les visiteurs qui votent à un sondage"),
    retention=_poll_retention,
    order=45,
)


def comments_on_erasure() -> str:
    """What erasure does to comments, as configured (PRIVACY_COMMENTS_ON_ERASURE, read at each call)."""
    return Erasure.DELETE if settings.PRIVACY_COMMENTS_ON_ERASURE == "delete" else Erasure.ANONYMISE


class CommentData(PersonalData):
    model = Comment
    treatment = COMMENTS
    fields = ("name", "email", "body", "ip_fingerprint", "user_agent")
    label = _("Vos commentaires")
    name_fields = ("name",)
    email_fields = ("email",)

    # The rule follows the setting when it is read, never the value it had when this module was imported.
    @property
    def erasure(self) -> str:
        return comments_on_erasure()

    @property
    def erasure_text(self):
        if comments_on_erasure() == Erasure.DELETE:
            return _("Vos commentaires sont supprimés, avec les réponses qui leur ont été faites.")
        return _(
            "Vos commentaires restent publiés, signés « Anonyme » : votre nom, votre e-mail, l'empreinte de "
            "votre adresse IP et le nom de votre navigateur sont effacés."
        )

    def erasure_summary(self) -> str:
        return str(self.erasure_text)

    def rows(self, subject):
        return by_emails(Comment, "email", subject)

    def export_row(self, row):
        return {
            str(_("article")): row.article.title,
            str(_("date")): row.created_at.isoformat(),
            str(_("nom")): row.name,
            str(_("e-mail")): row.email,
            str(_("commentaire")): row.body,
            str(_("statut")): str(row.get_status_display()),
            # Whether it answered someone, not whom: the archive holds nobody else's data.
            str(_("réponse à un autre commentaire")): row.parent_id is not None,
            str(_("empreinte chiffrée de votre adresse IP")): row.ip_fingerprint,
            str(_("navigateur")): row.user_agent,
        }

    def erase(self, rows) -> int:
        return comments_erase(comments=rows, delete=comments_on_erasure() == Erasure.DELETE)


class PollVoteData(PersonalData):
    model = PollVote
    treatment = POLLS
    fields = ("option", "voter_id", "ip_fingerprint", "created_at")
    label = _("Vos votes aux sondages")
    erasure = Erasure.DELETE
    erasure_text = _(
        "Vos votes aux sondages encore rattachés à l'empreinte de votre adresse IP sont supprimés et ne "
        "comptent plus dans les résultats."
    )

    def rows(self, subject):
        # A vote holds no e-mail: only the fingerprint of the address it came from ties it to the person, and
        # only until the retention job blanks it (RETENTION_POLL_FINGERPRINTS_DAYS).
        return by_fingerprints(PollVote, "ip_fingerprint", subject)

    def export_row(self, row):
        return {
            str(_("sondage")): row.poll.question,
            str(_("votre réponse")): row.option.label,
            str(_("date")): row.created_at.isoformat(),
            str(_("identifiant aléatoire de votre navigateur")): row.voter_id,
            str(_("empreinte chiffrée de votre adresse IP")): row.ip_fingerprint,
        }


register(CommentData())
register(PollVoteData())

not_personal("blog.Category.name", "a category's name, written by the team")
not_personal("blog.Tag.name", "a tag's name, written by the team")
not_personal(
    "blog.Article.author",
    "the staff member who wrote the article; PROTECT: their account cannot be deleted while articles name it "
    "(they are handed over to another writer first)",
)
not_personal(
    "blog.ArticleRevision.author",
    "the staff member who saved a revision; set to nothing when their account is deleted (SET_NULL)",
)
not_personal(
    "blog.AuthorProfile.user",
    "a staff writer's author page; deleted with their account (CASCADE)",
)
not_personal(
    "blog.AuthorProfile.display_name",
    "the name a staff writer signs their articles with; deleted with their account (CASCADE)",
)
