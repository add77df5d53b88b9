import time

from django.core.management.base import BaseCommand

from frenchbot.assistant.intents import intent_detect, intents_all


class Command(BaseCommand):
    help = (
        "Prépare la reconnaissance des intentions du bot (les exemples sont vectorisés une fois et gardés en "
        "cache), pour que le premier visiteur n'attende pas ; avec des messages, affiche l'intention de chacun."
    )

    def add_arguments(self, parser):
        parser.add_argument("messages", nargs="*", help="Messages à classer, par exemple « Bonjour ! ».")

    def handle(self, *args, **options):
        started = time.monotonic()
        intent_detect("bonjour")
        examples = sum(len(intent.examples) for intent in intents_all().values())
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{len(intents_all())} intentions, {examples} exemples prêts en {time.monotonic() - started:.1f} s."
            )
        for message in options["messages"]:
            match = intent_detect(message)
            self.stdout.write(f"{match.name}\t{match.score:.2f}\t{message}")
