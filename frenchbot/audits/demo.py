"""Demo questionnaires and opportunity catalogue, loaded once by `frenchbot demo` (then edited in the admin)."""

from django.db import transaction

from .models import Difficulty, Opportunity, Option, Question, Questionnaire, Track

# Four answers from "not at all" to "fully", reused where they fit; scores 0, 1, 3, 4.
FREQUENCY = [("Jamais", 0), ("Rarement", 1), ("Chaque semaine", 3), ("Tous les jours", 4)]
YES_NO = [("Non", 0), ("Je ne sais pas", 1), ("En partie", 3), ("Oui", 4)]

INDIVIDUAL = [
    (
        "usage",
        "À quelle fréquence utilisez-vous un assistant d'IA (ChatGPT, Le Chat, Copilot…) ?",
        "",
        2,
        FREQUENCY,
    ),
    (
        "usage",
        "Pour quoi l'utilisez-vous le plus souvent ?",
        "",
        1,
        [
            ("Je ne l'utilise pas", 0),
            ("Pour des questions ponctuelles", 1),
            ("Pour écrire ou résumer des textes", 3),
            ("Pour plusieurs tâches de mon travail", 4),
        ],
    ),
    ("usage", "Relisez-vous et vérifiez-vous les réponses de l'IA avant de les utiliser ?", "", 1, YES_NO),
    (
        "data",
        "Vos documents de travail sont-ils rangés de façon à être retrouvés facilement ?",
        "",
        1,
        YES_NO,
    ),
    ("data", "Savez-vous quelles informations ne doivent pas être données à un outil d'IA ?", "", 2, YES_NO),
    (
        "processes",
        "Combien de temps passez-vous chaque semaine sur des tâches répétitives (e-mails, saisie, copier-coller) ?",
        "Une estimation suffit.",
        2,
        [
            ("Plus de 10 heures", 0),
            ("Entre 5 et 10 heures", 1),
            ("Entre 1 et 5 heures", 3),
            ("Moins d'une heure", 4),
        ],
    ),
    (
        "processes",
        "Avez-vous déjà automatisé une tâche (règle de messagerie, Make, Zapier, macro) ?",
        "",
        1,
        YES_NO,
    ),
    (
        "skills",
        "Savez-vous rédiger une consigne précise (rôle, contexte, format attendu) pour obtenir une bonne réponse ?",
        "",
        2,
        YES_NO,
    ),
    (
        "skills",
        "Avez-vous suivi une formation sur l'IA générative ?",
        "",
        1,
        [
            ("Non", 0),
            ("Des vidéos ou articles", 1),
            ("Une courte formation", 3),
            ("Une formation complète", 4),
        ],
    ),
    ("skills", "Connaissez-vous les limites de ces outils (erreurs, inventions, biais) ?", "", 1, YES_NO),
    (
        "governance",
        "Désactivez-vous l'utilisation de vos conversations pour l'entraînement des modèles ?",
        "",
        1,
        YES_NO,
    ),
    ("governance", "Savez-vous où sont stockées les données que vous confiez à ces outils ?", "", 1, YES_NO),
]

BUSINESS = [
    (
        "usage",
        "Quelle part de vos équipes utilise un outil d'IA au moins une fois par semaine ?",
        "",
        2,
        [
            ("Personne ou presque", 0),
            ("Moins d'un quart", 1),
            ("Entre un quart et la moitié", 3),
            ("Plus de la moitié", 4),
        ],
    ),
    ("usage", "L'entreprise fournit-elle des outils d'IA validés (comptes professionnels) ?", "", 2, YES_NO),
    ("usage", "Mesurez-vous le temps gagné grâce à l'IA ?", "", 1, YES_NO),
    (
        "data",
        "Vos documents internes (procédures, offres, FAQ) sont-ils centralisés et à jour ?",
        "",
        2,
        YES_NO,
    ),
    ("data", "Vos données clients sont-elles dans un outil unique (CRM, ERP) ?", "", 1, YES_NO),
    (
        "data",
        "Vos données sont-elles classées selon leur sensibilité (publiques, internes, confidentielles) ?",
        "",
        1,
        YES_NO,
    ),
    (
        "processes",
        "Combien d'heures par semaine vos équipes passent-elles sur des saisies ou des copier-coller entre outils ?",
        "Pour l'ensemble de l'équipe, une estimation suffit.",
        2,
        [
            ("Plus de 20 heures", 0),
            ("Entre 10 et 20 heures", 1),
            ("Entre 2 et 10 heures", 3),
            ("Moins de 2 heures", 4),
        ],
    ),
    (
        "processes",
        "Vos processus clés (devis, facturation, support) sont-ils décrits par écrit ?",
        "",
        1,
        YES_NO,
    ),
    (
        "processes",
        "Utilisez-vous déjà des automatisations (Make, Zapier, Power Automate, n8n) ?",
        "",
        1,
        YES_NO,
    ),
    (
        "skills",
        "Vos collaborateurs ont-ils été formés à l'IA générative ?",
        "",
        2,
        [
            ("Personne", 0),
            ("Quelques personnes par elles-mêmes", 1),
            ("Une partie des équipes", 3),
            ("Toutes les équipes", 4),
        ],
    ),
    (
        "skills",
        "Une personne est-elle chargée de suivre les usages de l'IA dans l'entreprise ?",
        "",
        1,
        YES_NO,
    ),
    ("governance", "Avez-vous une charte ou des règles écrites sur l'usage de l'IA ?", "", 2, YES_NO),
    ("governance", "Vos usages de l'IA sont-ils intégrés à votre registre RGPD ?", "", 1, YES_NO),
    ("governance", "Savez-vous quelles obligations de l'AI Act européen vous concernent ?", "", 1, YES_NO),
]

# task, description, tools, hours per month, difficulty, track ("" = both), dimension, threshold
OPPORTUNITIES = [
    (
        "Rédiger et reformuler vos e-mails",
        "Des brouillons de réponses en quelques secondes, relus par vous.",
        "ChatGPT, Mistral Le Chat, Copilot",
        6,
        Difficulty.EASY,
        "",
        "usage",
        60,
    ),
    (
        "Résumer des documents et des réunions",
        "Comptes rendus et synthèses à partir de vos notes ou transcriptions.",
        "ChatGPT, Mistral Le Chat, Copilot",
        5,
        Difficulty.EASY,
        "",
        "usage",
        75,
    ),
    (
        "Écrire de meilleures consignes (prompts)",
        "Une méthode simple : rôle, contexte, tâche, format, exemples.",
        "ChatGPT, Mistral Le Chat, Grok",
        4,
        Difficulty.EASY,
        "",
        "skills",
        60,
    ),
    (
        "Automatiser la saisie entre vos outils",
        "Formulaires, tableurs et CRM reliés sans copier-coller.",
        "Make, Zapier, n8n",
        12,
        Difficulty.MEDIUM,
        "",
        "processes",
        60,
    ),
    (
        "Trier et classer les e-mails entrants",
        "Les demandes étiquetées et envoyées à la bonne personne.",
        "Copilot, Make/Zapier",
        8,
        Difficulty.MEDIUM,
        "business",
        "processes",
        50,
    ),
    (
        "Un assistant qui répond à partir de vos documents",
        "Procédures, offres et FAQ interrogées en langage courant.",
        "Mistral Le Chat, ChatGPT (GPT personnalisés), Copilot",
        10,
        Difficulty.HARD,
        "business",
        "data",
        50,
    ),
    (
        "Organiser vos documents pour l'IA",
        "Un classement simple qui rend vos documents utilisables par un assistant.",
        "Notion, SharePoint, Google Drive",
        3,
        Difficulty.EASY,
        "",
        "data",
        50,
    ),
    (
        "Une charte d'usage de l'IA",
        "Ce qui est permis, ce qui ne l'est pas, avec quels outils et quelles données.",
        "Modèle de charte, Copilot, ChatGPT Team",
        2,
        Difficulty.EASY,
        "business",
        "governance",
        75,
    ),
    (
        "Protéger vos données personnelles",
        "Réglages de confidentialité et bons réflexes avant de coller un texte.",
        "ChatGPT, Mistral Le Chat, Grok (réglages)",
        1,
        Difficulty.EASY,
        "individual",
        "governance",
        75,
    ),
    (
        "Préparer devis et propositions commerciales",
        "Un premier jet à partir de vos modèles et de la demande du client.",
        "ChatGPT, Copilot, Make/Zapier",
        8,
        Difficulty.MEDIUM,
        "business",
        "processes",
        75,
    ),
    (
        "Former vos équipes aux bons usages",
        "Une demi-journée pratique sur les cas de votre métier.",
        "ChatGPT, Mistral Le Chat, Copilot, Grok",
        6,
        Difficulty.EASY,
        "business",
        "skills",
        60,
    ),
]


def audits_demo_load() -> dict[str, int]:
    """Create the two questionnaires and the catalogue when absent; a second run adds nothing."""
    created = {"questionnaires": 0, "opportunities": 0}
    with transaction.atomic():
        for track, title, intro, rows in [
            (
                Track.INDIVIDUAL,
                "Audit IA — particulier",
                "Douze questions, cinq minutes : où en êtes-vous avec l'IA dans votre travail ?",
                INDIVIDUAL,
            ),
            (
                Track.BUSINESS,
                "Audit IA — entreprise",
                "Quatorze questions pour faire le point sur l'IA dans votre entreprise.",
                BUSINESS,
            ),
        ]:
            if Questionnaire.objects.filter(track=track).exists():
                continue
            questionnaire = Questionnaire.objects.create(track=track, title=title, intro=intro)
            created["questionnaires"] += 1
            for order, (dimension, text, help_text, weight, options) in enumerate(rows, start=1):
                question = Question.objects.create(
                    questionnaire=questionnaire,
                    dimension=dimension,
                    text=text,
                    help=help_text,
                    order=order,
                    weight=weight,
                )
                Option.objects.bulk_create(
                    Option(question=question, text=label, score=score, order=i)
                    for i, (label, score) in enumerate(options, start=1)
                )
        if not Opportunity.objects.exists():
            for task, description, tools, hours, difficulty, track, dimension, threshold in OPPORTUNITIES:
                Opportunity.objects.create(
                    task=task,
                    description=description,
                    tools=tools,
                    hours_saved_per_month=hours,
                    difficulty=difficulty,
                    track=track,
                    dimension=dimension,
                    threshold=threshold,
                )
                created["opportunities"] += 1
            # The heaviest repetitive-work answers point straight at automation, whatever the averages say.
            automation = Opportunity.objects.get(task="Automatiser la saisie entre vos outils")
            automation.trigger_options.set(
                Option.objects.filter(question__dimension="processes", question__order__in=[6, 7], score=0)
            )
    return created
