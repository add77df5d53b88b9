"""`frenchbot mfa_reset <username or e-mail>`: for a staff member who lost their phone and their recovery codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from frenchbot.accounts.services import mfa_reset


class Command(BaseCommand):
    help = (
        "Désactive la double authentification d'un compte (téléphone et codes de secours perdus) : la personne "
        "se connecte avec son seul mot de passe puis l'active de nouveau."
    )

    def add_arguments(self, parser):
        parser.add_argument("account", help="Identifiant ou adresse e-mail du compte")

    def handle(self, *args, account: str, **options):
        users = list(get_user_model().objects.filter(Q(username=account) | Q(email__iexact=account))[:2])
        if not users:
            raise CommandError(f"Aucun compte n'a l'identifiant ou l'adresse « {account} ».")
        if len(users) > 1:
            raise CommandError(f"Plusieurs comptes répondent à « {account} » : donnez l'identifiant.")
        user = users[0]
        removed = mfa_reset(user=user)
        if removed:
            self.stdout.write(
                f"La double authentification de {user.get_username()} est désactivée : connexion avec le mot de "
                "passe seul, puis activation d'une nouvelle application d'authentification."
            )
        else:
            self.stdout.write(f"{user.get_username()} n'avait pas de double authentification : rien à faire.")
