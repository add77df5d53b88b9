from django.core.management.base import BaseCommand

from frenchbot.booking.services import booking_reminders_enqueue_due


class Command(BaseCommand):
    help = (
        "Envoie les rappels de rendez-vous arrivés à échéance (24 h avant). À lancer régulièrement (cron, "
        "toutes les 5 minutes) quand la file de tâches ne sait pas différer une tâche ; sans effet en double."
    )

    def handle(self, *args, **options):
        count = booking_reminders_enqueue_due()
        self.stdout.write(f"{count} rappel(s) mis en file.")
