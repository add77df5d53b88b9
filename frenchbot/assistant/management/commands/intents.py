import time

from django.core.management.base import BaseCommand

from frenchbot.assistant.intents import intent_detect, intents_all
from frenchbot.assistant.intents.classifier import intents_prepare_enqueue


class Command(BaseCommand):
    help = (
        "Prépare la reconnaissance des intentions du bot (les exemples sont vectorisés une fois et gardés en "
        "cache), pour que le premier visiteur n'attende pas ; avec des messages, affiche l'intention de chacun."
    )

    def add_arguments(self, parser):
        parser.add_argument("messages", nargs="*", help="Messages à classer, par exemple « Bonjour ! ».")
        parser.add_argument(
            "--background",
            action="store_true",
            help="Confier la vectorisation des exemples au worker s'ils ne sont pas en cache (make run) ; les "
            "messages sont comparés par leurs mots en attendant.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["background"]:
            if intents_prepare_enqueue() and options["verbosity"] > 0:
                self.stdout.write("Intentions du bot en préparation dans le worker.")
            return
        intent_detect("bonjour")
        examples = sum(len(intent.examples) for intent in intents_all().values())
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{len(intents_all())} intentions, {examples} exemples prêts en {time.monotonic() - started:.1f} s."
            )
        for message in options["messages"]:
            match = intent_detect(message)
            self.stdout.write(f"{match.name}\t{match.score:.2f}\t{message}")
