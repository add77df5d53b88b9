"""The audience measure in the register of processing activities. Its rows hold nothing that leads to a person
(no address, user agent, account, cookie, name or e-mail), so it declares a treatment and no personal data: there
is nothing of a person's to export or erase here."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from frenchbot.privacy.registry import LegalBasis, Treatment, not_personal, register_treatment


def _retention() -> str:
    # Read when shown: it follows ANALYTICS_RAW_RETENTION_DAYS (13 months at most, the CNIL's limit).
    days = settings.ANALYTICS_RAW_RETENTION_DAYS
    return ngettext(
        "données brutes : %(days)d jour au plus ; ensuite, seuls restent des totaux par jour, qui ne concernent "
        "plus personne",
        "données brutes : %(days)d jours au plus ; ensuite, seuls restent des totaux par jour, qui ne concernent "
        "plus personne",
        days,
    ) % {"days": days}


AUDIENCE = register_treatment(
    Treatment(
        key="analytics.audience",
        name=_("Mesure d'audience"),
        purpose=_(
            "Savoir quelles pages sont lues et lesquelles amènent les visiteurs vers un audit, un rendez-vous ou "
            "une formation."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        description=(
            _(
                "Pour savoir quelles pages sont lues et lesquelles vous amènent vers un audit, un "
                "rendez-vous ou une formation, nous comptons les visites nous-mêmes, sans cookie, sans "
                "outil tiers et sans donnée personnelle. Un petit script du site envoie à notre serveur "
                "l'adresse de la page (sans ses paramètres, hormis ceux d'une campagne : utm_source, "
                "utm_medium, utm_campaign), le nom du site d'où vous venez (jamais l'adresse complète de la "
                "page), la largeur de votre écran, puis, quand vous quittez la page, le temps passé et "
                "jusqu'où vous l'avez lue. Votre adresse IP et votre navigateur servent seulement à compter "
                "un même visiteur une seule fois par jour : ils sont combinés à un nombre secret tiré "
                "chaque jour et effacé le lendemain, et seul le résultat est gardé ; ni l'adresse ni le nom "
                "du navigateur ne sont enregistrés, et personne, pas même nous, ne peut vous reconnaître "
                "d'un jour à l'autre. Le pays est déduit de l'adresse au moment de la visite, puis "
                "l'adresse est oubliée. Nous comptons aussi, sur notre serveur, les étapes franchies "
                "(conversation avec le bot, audit, rendez-vous, inscription à une formation, etc.) avec la "
                "page par laquelle la visite a commencé et, pour relier entre elles les étapes d'un même "
                "parcours (l'audit puis le rendez-vous qui le suit), une référence chiffrée de l'audit ou "
                "du rendez-vous ; nos statistiques ne contiennent ni votre nom ni votre e-mail."
            ),
            _(
                "Si votre navigateur demande à ne pas être suivi (Do Not Track ou Global Privacy Control), "
                "rien n'est mesuré. Les robots et les membres de l'équipe ne sont pas comptés. Les données "
                "brutes sont effacées au bout de 13 mois au plus ; seuls restent des totaux par jour, qui "
                "ne concernent plus personne. Ces mesures servent uniquement à produire nos statistiques de "
                "fréquentation, ne sont croisées avec aucun autre traitement et ne sont transmises à "
                "personne : elles relèvent de l'exemption de consentement prévue par la CNIL pour la mesure "
                "d'audience. Base légale : notre intérêt légitime à savoir ce qui est utile à nos visiteurs."
            ),
        ),
        categories=(
            _(
                "pages vues, site de provenance, campagne, largeur d'écran, pays, temps de lecture et défilement"
            ),
            _("étapes du parcours franchies, avec la page d'entrée de la visite"),
            _(
                "numéro de visiteur du jour (empreinte de l'adresse IP et du navigateur, faite avec un secret "
                "effacé le lendemain)"
            ),
        ),
        people=_("les visiteurs du site"),
        retention=_retention,
        order=80,
    )
)

not_personal(
    "analytics.Hit",
    "no address, user agent, account or cookie: `visitor` is a keyed hash (BLAKE2b) of the IP address and the "
    "user agent with the day's random salt (hashing.visitor_hash); the worker's hourly job deletes a day's salt "
    "once the day is over (salts_rotate), after which no number can be tied back to a browser, and during the "
    "day a number could only be recomputed from the exact address and user agent, which are never stored",
)
not_personal(
    "analytics.Goal",
    "the same visitor number of the day (null for a goal reached outside a request); `name` is a step of the "
    "journey, not a person's name; `subject`/`follows` are HMACs (SECRET_KEY) of an object's id (an audit's, a "
    "booking's): they lead to a person only through that object's own rows, which the person's erasure "
    "deletes or anonymises in their app",
)
not_personal("analytics.DailyGoal", "a day's count of one step of the journey (`name` is the step): a total")
not_personal(
    "analytics.ReportRecipient.user",
    "a staff member who asked for the weekly report; the row goes with their account (CASCADE)",
)
