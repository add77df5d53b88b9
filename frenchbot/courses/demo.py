"""Demo trainings, written for this project: « ChatGPT au quotidien » for individuals and « L'IA dans votre PME »
for businesses, each complete (modules, lessons, quizzes, prompt exercises), published, and opened by one demo
access code. `frenchbot demo` loads them once; the team edits them in the admin afterwards.

The text is written with ordinary spaces; `_typo` applies French typography (non-breaking spaces before « : ; ! ? »,
inside « guillemets », in numbers and before units) when it is stored, so the source stays readable. Rubric
`values` are left untouched: they are matched, not read.
"""

import re
import textwrap
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from .models import (
    AccessCode,
    Audience,
    Lesson,
    Module,
    PromptExercise,
    Quiz,
    QuizChoice,
    QuizQuestion,
    RubricCriterion,
    Training,
    TrainingLevel,
)

DEMO_CODE_USES = 1000
QUIZ_PASS_MARK = 70
STEP_GAP = 10  # lessons at 10, 20, 30…; then the module's exercise, then its quiz

NBSP = "\u00a0"
_TYPO_RULES = [
    (re.compile(r"[ \u00a0\u202f]+([:;!?»])"), NBSP + r"\1"),
    (re.compile(r"«[ \u00a0\u202f]+"), "«" + NBSP),
    # 1 900 €, 2 400 : groups of thousands stay on one line.
    (re.compile(r"(?<=\d) (?=\d{3}(?!\d))"), NBSP),
    (re.compile(r"(?<=\d) (?=(?:€|%|\$|h|min|km|m)(?!\w))"), NBSP),
    (re.compile(r"(?<=\d\u00a0h) (?=\d)"), NBSP),  # 14 h 30
]


def _typo(text: str) -> str:
    for pattern, replacement in _TYPO_RULES:
        text = pattern.sub(replacement, text)
    return text


def _md(text: str) -> str:
    return textwrap.dedent(text).strip() + "\n"


def _lesson(title: str, minutes: int, body: str) -> dict:
    return {"title": title, "minutes": minutes, "body": _md(body)}


def _question(kind: str, text: str, choices: list[tuple[str, bool]], explanation: str) -> dict:
    return {"kind": kind, "text": text, "choices": choices, "explanation": explanation}


def single(text: str, choices: list[tuple[str, bool]], explanation: str) -> dict:
    return _question(QuizQuestion.Kind.SINGLE, text, choices, explanation)


def multiple(text: str, choices: list[tuple[str, bool]], explanation: str) -> dict:
    return _question(QuizQuestion.Kind.MULTIPLE, text, choices, explanation)


def criterion(label: str, rule: str, values: list[str], ok: str, missing: str) -> dict:
    return {"label": label, "rule": rule, "values": values, "feedback_ok": ok, "feedback_missing": missing}


Check = RubricCriterion.Check

# Ways of giving the assistant a role, folded and matched as whole words by the rubric.
ROLE_WORDS = [
    "tu es",
    "vous êtes",
    "en tant que",
    "agis comme",
    "agissez comme",
    "joue le rôle",
    "jouez le rôle",
    "mets-toi dans la peau",
    "mettez-vous dans la peau",
    "incarne",
    "incarnez",
]


# =====================================================================================================================
# « ChatGPT au quotidien » — individuals, beginners, 6 h

CHATGPT_M1 = {
    "title": "Premiers pas avec ChatGPT",
    "summary": (
        "Ce qu'est un assistant d'IA, comment ouvrir votre compte en gardant la main sur vos données, "
        "et ce que vous ne devez jamais lui confier."
    ),
    "lessons": [
        _lesson(
            "Qu'est-ce que ChatGPT, au juste ?",
            12,
            """
            ## Un outil qui écrit, pas un moteur de recherche

            ChatGPT est un assistant conversationnel créé par la société américaine OpenAI et ouvert au public
            fin 2022. Vous lui écrivez une demande en français courant ; il vous répond en quelques secondes par
            un texte : une explication, un e-mail, un plan, un tableau, une liste d'idées.

            Derrière l'interface se trouve un **grand modèle de langage**. Il a été entraîné sur une très grande
            quantité de textes pour apprendre une chose : prédire, mot après mot, la suite la plus probable d'un
            texte. C'est ce qui le rend si à l'aise avec la langue, et c'est aussi ce qui explique ses erreurs.
            Il ne « sait » pas les choses comme une encyclopédie : il produit une réponse plausible. La plupart
            du temps, plausible et juste se confondent. Parfois non.

            ## Ce que cela change pour vous

            Retenez trois conséquences pratiques :

            1. **La qualité de la réponse dépend de la qualité de la demande.** Une question vague donne une
               réponse générique ; une demande précise donne un texte utilisable. C'est l'objet du module 2.
            2. **Il peut se tromper avec aplomb.** Un chiffre, une date, une référence de loi, un titre de livre :
               tout ce qui est factuel se vérifie. Nous y consacrons le module 4.
            3. **C'est une conversation.** Vous pouvez corriger, préciser, demander une autre version. La première
               réponse est un brouillon, pas un verdict.

            ## Ce que vous pouvez lui demander dès aujourd'hui

            - reformuler un message trop sec ou trop long ;
            - expliquer un mot, une notion, un courrier que vous ne comprenez pas ;
            - proposer un plan, une liste, des idées ;
            - résumer un texte que vous lui collez ;
            - traduire, ou corriger l'orthographe.

            Voici une première demande à essayer :

            ```
            Expliquez-moi en cinq phrases simples la différence entre un
            taux d'intérêt fixe et un taux variable, avec un exemple chiffré
            pour chacun.
            ```

            Observez la réponse : elle est claire, structurée, et les exemples chiffrés se vérifient avec une
            calculatrice. Vérifier ce qui peut l'être : c'est exactement le bon réflexe.

            Vous pouvez écrire à l'assistant en le vouvoyant ou en le tutoyant : cela ne change rien à la
            qualité de la réponse. Dans cette formation, nos exemples le vouvoient.

            ## Gratuit ou payant ?

            La version gratuite suffit pour suivre cette formation. Les offres payantes donnent accès à des
            modèles plus puissants et à des limites d'utilisation plus larges ; vous pourrez décider plus tard
            si elles valent la dépense pour votre usage.

            > **À retenir :** ChatGPT produit un texte probable, pas une vérité garantie. Il excelle pour
            > rédiger, reformuler et expliquer ; tout ce qui est factuel se vérifie.
            """,
        ),
        _lesson(
            "Créer votre compte et régler la confidentialité",
            15,
            """
            ## Créer votre compte en cinq minutes

            1. Rendez-vous sur **chatgpt.com**, ou installez l'application officielle « ChatGPT » d'OpenAI depuis
               l'App Store ou Google Play. Méfiez-vous des applications au nom approchant : certaines sont
               payantes et n'ont rien à voir avec OpenAI.
            2. Cliquez sur « S'inscrire ». Vous pouvez utiliser une adresse e-mail ou un compte Google,
               Microsoft ou Apple.
            3. Confirmez votre adresse e-mail, puis indiquez votre nom et votre date de naissance.
            4. Choisissez un mot de passe solide, que vous n'utilisez nulle part ailleurs, et activez la
               vérification en deux étapes dans les paramètres de sécurité.

            Vous pouvez poser quelques questions sans compte, mais le compte garde l'historique de vos
            conversations et donne accès à davantage de fonctions.

            ## Trois réglages à faire tout de suite

            Les menus évoluent régulièrement ; cherchez ces options dans les **Paramètres**.

            - **Contrôles des données** : l'option « Améliorer le modèle pour tous » autorise OpenAI à utiliser
              vos conversations pour entraîner ses modèles. Vous pouvez la désactiver ; vos conversations restent
              dans votre historique.
            - **Discussion temporaire** : elle n'apparaît pas dans l'historique et ne sert pas à l'entraînement.
              Pratique pour une question ponctuelle un peu personnelle. OpenAI peut toutefois la conserver
              jusqu'à 30 jours pour des raisons de sécurité : ce n'est pas un coffre-fort.
            - **Personnalisation et mémoire** : ChatGPT peut retenir des informations sur vous d'une
              conversation à l'autre. C'est utile (votre métier, vos préférences de style), mais consultez
              régulièrement ce qu'il a mémorisé et supprimez ce qui n'a pas à y être.

            ## Vos premières minutes

            Essayez d'abord une demande sans enjeu pour découvrir l'interface :

            > Je reçois six personnes samedi soir, dont une végétarienne. Proposez-moi un menu simple en trois
            > plats, préparable la veille, avec la liste de courses classée par rayon.

            Regardez ensuite les boutons sous la réponse : copier, régénérer (obtenir une autre version), et
            parfois lire à voix haute. Dans la colonne de gauche, chaque conversation est enregistrée ;
            renommez celles que vous voulez retrouver.

            ## Un compte, une personne

            Ne partagez pas votre compte : l'historique et la mémoire mélangeraient vos informations et celles
            des autres. Si vous utilisez ChatGPT pour votre travail, demandez à votre employeur s'il fournit un
            compte professionnel et quelles règles s'appliquent.

            > **À retenir :** créez votre compte sur le site ou l'application officielle, désactivez
            > l'entraînement sur vos conversations si vous le souhaitez, et surveillez ce que la mémoire
            > retient de vous.
            """,
        ),
        _lesson(
            "Ses forces, ses limites, et ce qu'il ne faut jamais lui confier",
            15,
            """
            ## Là où il excelle

            - **Rédiger et reformuler** : un e-mail, une lettre, une annonce, dans le ton que vous voulez.
            - **Expliquer** : un terme technique, une clause de contrat, un fonctionnement, à votre niveau.
            - **Structurer** : transformer des notes en vrac en plan, en liste de tâches ou en tableau.
            - **Proposer** : des idées de cadeaux, de titres, d'activités, de questions à poser.
            - **Traduire et corriger** : avec une qualité souvent très bonne dans les langues courantes.

            ## Là où il faut se méfier

            - **Les faits précis** : chiffres, dates, citations, références juridiques, sources. Il peut les
              inventer.
            - **L'actualité** : selon la version et les options, il n'a pas toujours accès aux informations
              récentes. Quand il cherche sur le web, il cite ses sources : ouvrez-les.
            - **Les calculs longs** : il progresse, mais recomptez ce qui compte.
            - **Les conseils médicaux, juridiques ou financiers** : il peut vous aider à préparer vos questions,
              pas remplacer un professionnel qui connaît votre situation.
            - **Le jugement** : il n'a ni vos valeurs ni votre contexte. La décision reste la vôtre.

            ## Ce que vous ne devez jamais lui confier

            Tout ce que vous tapez part sur les serveurs de l'éditeur. Avant de coller un texte, posez-vous la
            question : « Est-ce que je l'enverrais par e-mail à un inconnu ? » Si la réponse est non, ne le
            collez pas. En particulier :

            - mots de passe, codes d'accès, code de carte bancaire ;
            - numéro de sécurité sociale, numéro fiscal, copie de pièce d'identité ;
            - coordonnées bancaires (IBAN) et relevés de compte ;
            - données de santé, les vôtres et surtout celles des autres ;
            - informations sur des personnes qui ne vous ont rien autorisé : nom, adresse, situation familiale
              d'un voisin ou d'un collègue ;
            - documents confidentiels de votre employeur.

            ## Anonymiser avant de coller

            Vous pouvez presque toujours obtenir la même aide sans les informations sensibles. Remplacez les
            noms par des rôles, les montants exacts par des ordres de grandeur, l'adresse par la ville :

            ```
            Mon ancien propriétaire (M. X) me réclame 1 200 € de travaux après
            mon départ d'un appartement à Lyon. L'état des lieux de sortie ne
            mentionne aucun dégât. Expliquez-moi les règles générales qui
            s'appliquent et proposez le plan d'une réponse courtoise mais ferme.
            ```

            La réponse sera tout aussi utile, et vous n'avez rien exposé qui vous identifie. Les règles qu'il
            cite se vérifient ensuite sur service-public.fr avant d'écrire au propriétaire.

            > **À retenir :** utilisez ChatGPT pour rédiger, expliquer et structurer ; vérifiez les faits ; ne
            > collez jamais de mots de passe, de données bancaires, de santé ou d'informations sur d'autres
            > personnes.
            """,
        ),
    ],
    "quiz": [
        single(
            "Comment ChatGPT produit-il ses réponses ?",
            [
                ("Il recherche la réponse exacte dans une base de données vérifiée.", False),
                ("Il prédit, mot après mot, la suite la plus probable d'un texte.", True),
                ("Des employés d'OpenAI rédigent les réponses en direct.", False),
            ],
            "ChatGPT repose sur un modèle de langage qui prédit la suite la plus probable. C'est pourquoi ses "
            "réponses sont fluides, mais pas toujours exactes : plausible ne veut pas dire vrai.",
        ),
        multiple(
            "Lesquelles de ces informations ne devez-vous jamais coller dans ChatGPT ?",
            [
                ("Le code de votre carte bancaire", True),
                ("Le numéro de sécurité sociale d'un proche", True),
                ("Une recette de cuisine trouvée dans un livre", False),
                ("Le diagnostic médical d'un collègue", True),
            ],
            "Données bancaires, identifiants officiels et données de santé, surtout celles d'autres personnes, "
            "ne se confient jamais à un assistant. Une recette de cuisine ne pose aucun problème.",
        ),
        single(
            "Que permet une discussion temporaire ?",
            [
                ("Elle n'apparaît pas dans l'historique et ne sert pas à entraîner les modèles.", True),
                (
                    "Elle est chiffrée de sorte que personne, pas même OpenAI, ne puisse jamais la lire.",
                    False,
                ),
                ("Elle donne accès à un modèle plus puissant.", False),
            ],
            "Une discussion temporaire ne reste pas dans votre historique et n'entraîne pas les modèles, mais "
            "OpenAI peut la conserver jusqu'à 30 jours pour la sécurité : ce n'est pas un coffre-fort.",
        ),
        multiple(
            "Dans quelles tâches ChatGPT est-il particulièrement à l'aise ?",
            [
                ("Reformuler un e-mail trop sec", True),
                ("Transformer des notes en vrac en plan structuré", True),
                ("Donner de mémoire le numéro exact d'un article de loi récent", False),
                ("Indiquer la pharmacie de garde ce soir dans votre quartier", False),
            ],
            "Rédiger, reformuler et structurer sont ses points forts. Les références précises et les "
            "informations du jour sont ses points faibles : il peut les inventer ou ne pas les connaître.",
        ),
        single(
            "Vous voulez de l'aide pour répondre à votre propriétaire. Quelle est la bonne pratique ?",
            [
                ("Coller le bail complet, avec les noms et l'adresse, pour une réponse plus précise.", False),
                (
                    "Décrire la situation en remplaçant les noms et l'adresse par des rôles et une ville.",
                    True,
                ),
                ("Renoncer à ChatGPT : il ne peut rien apporter sur un sujet juridique.", False),
            ],
            "L'aide sera tout aussi utile sans informations identifiantes. Anonymiser ne coûte rien ; les "
            "règles citées par l'assistant se vérifient ensuite sur un site officiel.",
        ),
    ],
}

CHATGPT_M2 = {
    "title": "Écrire de bons prompts",
    "summary": (
        "La méthode en six ingrédients pour obtenir une réponse utilisable du premier coup, puis l'art de "
        "l'améliorer en quelques échanges."
    ),
    "lessons": [
        _lesson(
            "Les six ingrédients d'un bon prompt",
            15,
            """
            Un prompt, c'est la demande que vous écrivez à l'assistant. Comparez :

            > Écris un message pour annuler mon rendez-vous.

            et :

            > Vous êtes mon assistant personnel. Je dois annuler mon rendez-vous de jeudi 10 h chez le
            > kinésithérapeute, que je vois depuis trois mois, car je serai en déplacement. Rédigez un SMS de
            > trois phrases au maximum, poli et chaleureux, qui propose deux créneaux la semaine suivante :
            > mardi matin ou mercredi après-midi.

            La seconde demande prend trente secondes de plus à écrire et donne un message prêt à envoyer. Elle
            contient les six ingrédients.

            ## 1. Le rôle

            Dites à l'assistant qui il doit être : « Vous êtes un conseiller en orientation », « En tant que
            professeur de français… ». Le rôle oriente le vocabulaire et le niveau de détail.

            ## 2. Le contexte

            Qui êtes-vous, à qui s'adresse le texte, quel est l'enjeu, que s'est-il passé avant ? C'est
            l'ingrédient le plus souvent oublié, et celui qui change le plus la réponse : l'assistant ne sait de
            votre situation que ce que vous lui écrivez.

            ## 3. La tâche

            Un verbe d'action clair : rédigez, résumez, comparez, classez, corrigez, proposez. Une seule tâche
            principale par demande donne de meilleurs résultats.

            ## 4. Le format

            Sous quelle forme voulez-vous la réponse ? Un SMS, un e-mail de 150 mots, une liste à puces, un
            tableau à trois colonnes, un plan en quatre parties.

            ## 5. Les contraintes

            Le ton (cordial, ferme, neutre), la longueur maximale, le niveau de langue, ce qu'il faut éviter :
            « sans jargon », « pas plus de dix lignes », « ne mentionnez pas le prix ».

            ## 6. L'exemple

            Si vous avez un modèle qui vous plaît, montrez-le : « Voici un message que j'ai écrit l'an dernier,
            inspirez-vous de son ton. » Un exemple vaut souvent mieux qu'une longue description.

            ## Faut-il tout mettre à chaque fois ?

            Non. Pour une question simple, une phrase suffit. Mais dès que la réponse compte (un courrier, un
            message délicat, un document à rendre), relisez votre demande avant de l'envoyer :

            - ai-je dit qui je suis et à qui s'adresse le texte ?
            - ai-je dit sous quelle forme je veux la réponse ?
            - ai-je précisé le ton et ce qu'il faut éviter ?

            Le contexte et le format sont les deux ingrédients qui rapportent le plus.

            > **À retenir :** rôle, contexte, tâche, format, contraintes, exemple. Plus votre demande est
            > précise, moins vous aurez de corrections à faire ensuite.
            """,
        ),
        _lesson(
            "Montrer un exemple et imposer un format",
            15,
            """
            ## Pourquoi le format change tout

            Sans indication, l'assistant choisit lui-même la forme de sa réponse : souvent un long texte avec
            intertitres, introduction et conclusion polie. Si vous voulez autre chose, dites-le. Quelques formats
            utiles :

            - **une liste** : « en 5 points », « une liste à puces de 10 idées » ;
            - **un tableau** : « un tableau avec les colonnes Produit, Prix, Avantages, Inconvénients » ;
            - **une longueur** : « 100 mots maximum », « trois paragraphes courts », « un SMS » ;
            - **une structure** : « d'abord le problème, puis deux solutions, puis votre recommandation » ;
            - **un niveau** : « expliqué à un enfant de 10 ans », « pour un lecteur qui connaît le sujet ».

            ## Le pouvoir de l'exemple

            Décrire un style est difficile ; le montrer est facile. Si vous voulez des messages dans votre ton,
            collez-en un :

            ```
            Voici un message que j'ai envoyé à mon club de randonnée :
            « Bonjour à tous ! Dimanche, départ de la gare à 8 h 30 pour
            12 km tranquilles. Prévoyez de l'eau et de bonnes chaussures. »

            Rédigez sur ce modèle (même longueur, même ton) l'annonce de la
            sortie du 14 septembre : départ de l'église à 9 h, boucle de 15 km
            avec 400 m de dénivelé, pique-nique tiré du sac.
            ```

            L'assistant reprend la longueur, le registre, la ponctuation. Pour une série (publications,
            réponses types, fiches), un ou deux exemples suffisent à garder une cohérence.

            ## Précisez ce qu'il faut imiter

            Un exemple est puissant, parfois trop : l'assistant peut recopier des tournures ou des informations.
            Dites clairement ce qui doit être repris (le ton, la structure, la longueur) et ce qui doit changer
            (les dates, le lieu, le sujet).

            ## Combiner format et exemple

            Pour une tâche qui revient souvent, écrivez une fois pour toutes un gabarit :

            > Vous êtes mon assistant de rédaction. Pour chaque objet que je vends sur un site de petites
            > annonces, rédigez une annonce en trois parties : un titre de 8 mots au maximum, une description de
            > 60 mots, puis l'état et le prix sur une ligne. Exemple de titre : « Vélo de ville 28 pouces, très
            > bon état ». Premier objet : une machine à café à grains achetée il y a deux ans, 120 €.

            Gardez ces gabarits dans un fichier texte : vous n'aurez plus qu'à changer la dernière ligne.

            > **À retenir :** dites toujours sous quelle forme vous voulez la réponse (liste, tableau,
            > longueur) et montrez un exemple quand le style compte, en précisant ce qu'il faut imiter.
            """,
        ),
        _lesson(
            "Itérer : améliorer la réponse en quelques échanges",
            15,
            """
            ## La première réponse est un brouillon

            Même avec un bon prompt, la première réponse est rarement parfaite. C'est normal, et c'est là que la
            conversation devient utile : au lieu de tout réécrire, vous demandez des ajustements.

            ## Les relances qui marchent

            - **Raccourcir ou développer** : « Réduisez de moitié. » « Développez le deuxième point. »
            - **Changer de ton** : « Plus chaleureux. » « Plus direct, sans formules de politesse à rallonge. »
            - **Cibler une partie** : « Gardez tout, sauf le dernier paragraphe, que vous réécrivez. »
            - **Demander des variantes** : « Proposez trois objets différents pour cet e-mail. »
            - **Corriger une erreur** : « Le rendez-vous est mardi, pas lundi. Corrigez. »

            Soyez précis sur ce qui ne va pas : « ce n'est pas bien » n'aide pas l'assistant ; « c'est trop
            formel pour un message à ma sœur » l'aide beaucoup.

            ## Faites-vous poser des questions

            Quand vous ne savez pas quoi préciser, inversez les rôles :

            ```
            Je veux préparer un voyage de quatre jours à Lisbonne en octobre.
            Avant de me proposer quoi que ce soit, posez-moi les questions
            dont vous avez besoin, une par une.
            ```

            L'assistant vous demandera votre budget, votre rythme, vos centres d'intérêt. Vos réponses forment
            un contexte bien plus riche que ce que vous auriez pensé à écrire d'emblée.

            ## Savoir repartir de zéro

            Une longue conversation finit par s'encombrer : l'assistant mélange d'anciennes consignes, oublie
            des détails du début ou répète la même erreur. Quand cela arrive :

            1. demandez-lui de résumer ce qui a été décidé ;
            2. ouvrez une nouvelle conversation ;
            3. collez ce résumé avec votre demande améliorée.

            C'est aussi le bon réflexe quand vous changez de sujet : une conversation par sujet.

            ## Capitaliser sur ce qui marche

            Quand un échange a donné un bon résultat, demandez : « Réécrivez ma demande de départ en un seul
            prompt complet qui aurait donné directement cette version. » Vous obtenez un prompt à réutiliser la
            prochaine fois, à ranger avec vos gabarits.

            > **À retenir :** relancez avec des consignes précises, faites-vous poser des questions quand le
            > contexte manque, et ouvrez une nouvelle conversation quand l'échange s'encombre.
            """,
        ),
    ],
    "exercise": {
        "title": "Exercice : un e-mail de réclamation à un transporteur",
        "task": _md(
            """
            Votre colis, une lampe commandée en ligne pour 89 €, a été livré avec trois jours de retard, et le
            pied de la lampe était cassé à l'ouverture. Le livreur l'a déposé sans vous faire signer. Vous voulez
            écrire au service client du transporteur pour obtenir un remboursement ou un remplacement.

            **Écrivez le prompt** que vous donneriez à ChatGPT pour qu'il rédige cet e-mail de réclamation. Un
            bon prompt :

            - donne un rôle à l'assistant ;
            - raconte la situation avec les faits utiles ;
            - dit ce que vous demandez au transporteur ;
            - précise le format attendu (un e-mail, un objet, une longueur…) ;
            - fixe le ton et les limites.

            Votre prompt est vérifié selon une grille de cinq critères : il en faut quatre pour réussir.
            """
        ),
        "pass_criteria": 4,
        "criteria": [
            criterion(
                "Donne un rôle à l'assistant",
                Check.CONTAINS_ANY,
                ROLE_WORDS,
                "Vous donnez un rôle à l'assistant : il adopte le point de vue et le vocabulaire qui conviennent.",
                "Commencez par un rôle, par exemple « Vous êtes un conseiller qui connaît bien les droits des "
                "consommateurs » : la réponse sera plus juste.",
            ),
            criterion(
                "Raconte la situation en détail (40 mots au moins)",
                Check.MIN_WORDS,
                ["40"],
                "Votre prompt donne assez de contexte pour que l'e-mail reprenne les faits.",
                "Votre prompt est trop court pour raconter la situation : ajoutez les faits (retard, lampe "
                "cassée, livraison sans signature, montant).",
            ),
            criterion(
                "Dit ce que vous demandez au transporteur",
                Check.CONTAINS_ANY,
                ["rembours*", "remplac*", "échange", "dédommag*", "indemnis*", "geste commercial"],
                "L'objectif est clair : l'e-mail se terminera par une demande précise.",
                "Dites ce que vous voulez obtenir (un remboursement, un remplacement…) : sans objectif, "
                "l'e-mail se contentera de se plaindre.",
            ),
            criterion(
                "Précise le format attendu",
                Check.HAS_FORMAT,
                ["e-mail", "email", "objet"],
                "Vous précisez la forme attendue : la réponse sera prête à envoyer.",
                "Précisez la forme : un e-mail avec un objet, une longueur (par exemple 150 mots au maximum), "
                "des paragraphes courts.",
            ),
            criterion(
                "Fixe le ton et les limites",
                Check.CONTAINS_ANY,
                ["ton", "maximum", "pas plus de", "au plus", "sans", "courtois*", "poli", "polie", "ferme"],
                "Vous fixez le ton et les limites : l'e-mail restera ferme sans devenir agressif.",
                "Indiquez le ton et les limites, par exemple « ton courtois mais ferme, sans menace, 150 mots "
                "maximum ».",
            ),
        ],
    },
    "quiz": [
        single(
            "Quel ingrédient du prompt est le plus souvent oublié, alors qu'il change le plus la réponse ?",
            [
                ("Le rôle", False),
                ("Le contexte", True),
                ("La formule de politesse", False),
            ],
            "L'assistant ne sait de votre situation que ce que vous lui écrivez. Sans contexte (qui, pour qui, "
            "quel enjeu), il ne peut produire qu'une réponse générique.",
        ),
        multiple(
            "Lesquelles de ces consignes précisent un format ?",
            [
                ("« En 5 points »", True),
                ("« Un tableau avec les colonnes Ville, Prix, Durée »", True),
                ("« Vous êtes un guide touristique »", False),
                ("« 150 mots au maximum »", True),
            ],
            "Une liste, un tableau et une longueur décrivent la forme de la réponse. « Vous êtes un guide "
            "touristique » est un rôle : il ne dit rien de la forme attendue.",
        ),
        single(
            "La réponse est trop formelle pour un message à votre sœur. Que faites-vous ?",
            [
                ("Vous relancez : « Plus familier et chaleureux, c'est pour ma sœur. »", True),
                ("Vous reposez exactement la même question.", False),
                ("Vous ouvrez une nouvelle conversation sans rien changer à la demande.", False),
            ],
            "Une relance précise, qui dit ce qui ne va pas et pourquoi, corrige la réponse en un échange. "
            "Reposer la même question donne une réponse du même genre.",
        ),
        single(
            "La conversation dure depuis une heure et l'assistant mélange les consignes. Le meilleur réflexe ?",
            [
                (
                    "Lui faire résumer ce qui est décidé, puis repartir dans une nouvelle conversation avec ce "
                    "résumé.",
                    True,
                ),
                ("Réécrire toutes les consignes en majuscules.", False),
                ("Continuer : il finira par comprendre.", False),
            ],
            "Une longue conversation s'encombre d'anciennes consignes. Un résumé collé dans une nouvelle "
            "conversation repart sur une base propre.",
        ),
        multiple(
            "Vous montrez un message à imiter. Que devez-vous préciser ?",
            [
                ("Ce qu'il faut reprendre : le ton, la longueur, la structure", True),
                ("Ce qui doit changer : les dates, le lieu, le sujet", True),
                ("Le logiciel avec lequel vous avez écrit ce message", False),
            ],
            "Un exemple est puissant, parfois trop : sans précision, l'assistant peut recopier des informations "
            "qui ne s'appliquent plus. Dites ce qui se garde et ce qui change.",
        ),
    ],
}

CHATGPT_M3 = {
    "title": "ChatGPT dans votre vie de tous les jours",
    "summary": (
        "E-mails, courriers administratifs, résumés de documents, organisation et apprentissage : des usages "
        "concrets, avec les prompts à adapter."
    ),
    "lessons": [
        _lesson(
            "E-mails, lettres et démarches administratives",
            20,
            """
            ## Les messages qui vous coûtent du temps

            Un e-mail délicat à un voisin, une relance à un artisan, une lettre de résiliation, une réponse à la
            caisse d'allocations familiales : ce ne sont pas des textes longs, mais on les repousse parce qu'on
            ne sait pas par où commencer. L'assistant vous donne un premier jet en quelques secondes ; vous
            n'avez plus qu'à l'ajuster.

            ## Une méthode en trois temps

            1. **Les faits** : qui, quoi, quand, ce que vous avez déjà fait.
            2. **L'objectif** : un remboursement, un rendez-vous, un délai, une explication.
            3. **Le ton et la forme** : courtois ou ferme, e-mail court ou lettre recommandée.

            ```
            Vous êtes un rédacteur habitué aux courriers administratifs.
            J'ai déménagé le 3 mars et je dois résilier mon abonnement à
            internet (contrat sans engagement depuis 2021). Rédigez une lettre
            de résiliation claire, avec l'objet, les références à compléter
            entre crochets et une formule de politesse sobre. Une page au plus.
            ```

            Les crochets sont une bonne astuce : ils marquent les informations personnelles que vous
            compléterez vous-même, sans les confier à l'assistant (numéro de client, adresse).

            ## Comprendre un courrier reçu

            Un avis d'imposition, un courrier de votre banque ou d'un organisme social peut être obscur.
            Recopiez le passage qui vous pose problème, sans vos identifiants, et demandez :

            > Expliquez-moi ce paragraphe en langage simple. Que dois-je faire, et avant quelle date ? S'il
            > manque une information pour répondre, dites-le.

            Attention : l'assistant peut se tromper sur une règle précise ou un délai. Avant toute décision
            (payer, contester, signer), vérifiez sur le site officiel concerné (service-public.fr,
            impots.gouv.fr) ou auprès de l'organisme.

            ## Relire avant d'envoyer

            Relisez toujours le texte produit :

            - les faits sont-ils exacts (dates, montants, noms) ?
            - le ton vous ressemble-t-il ? Un message trop parfait à un proche sonne faux ;
            - l'assistant n'a-t-il rien ajouté que vous n'avez pas dit, comme une promesse ou une menace de
              poursuites ?

            Vous signez le message : vous en êtes responsable.

            > **À retenir :** donnez les faits, l'objectif et le ton ; laissez entre crochets les informations
            > personnelles ; vérifiez règles et délais sur les sites officiels avant d'agir.
            """,
        ),
        _lesson(
            "Résumer un document long",
            15,
            """
            ## Ce que l'assistant fait bien

            Un compte rendu de réunion, un règlement de copropriété, un article de dix pages, un contrat
            d'assurance : l'assistant en tire l'essentiel en quelques secondes. Vous pouvez coller le texte dans
            la conversation ou, selon votre version, joindre le fichier (PDF, Word) avec le trombone.

            ## Dites à quoi servira le résumé

            « Résume ce texte » donne un résumé moyen, pour personne en particulier. Précisez :

            - **pour qui** : vous-même, des parents d'élèves, un conjoint qui n'a pas le temps ;
            - **pour quoi faire** : décider, informer, préparer une question ;
            - **sous quelle forme** : 5 points, un paragraphe, un tableau « décision, responsable, échéance ».

            ```
            Vous êtes un assistant de synthèse. Voici le règlement intérieur
            de ma résidence. Je suis locataire et j'ai un chien.
            Listez en 5 points au maximum ce qui me concerne directement,
            en citant pour chaque point le numéro de l'article.
            N'ajoutez aucune règle qui ne figure pas dans le texte.

            [TEXTE DU RÈGLEMENT]
            ```

            ## Demandez des renvois au texte

            La consigne « citez le numéro de l'article » ou « citez la phrase d'origine entre guillemets » est
            précieuse : vous vérifiez chaque point d'un coup d'œil. Un résumé peut omettre une nuance ou, plus
            rarement, ajouter une information absente du texte.

            ## Les limites à connaître

            - **Les très longs documents** : au-delà de quelques dizaines de pages, l'assistant peut survoler
              une partie du texte. Découpez par chapitre et résumez chaque partie.
            - **Les documents scannés** : la lecture d'une image ou d'un PDF scanné peut introduire des erreurs,
              notamment sur les chiffres.
            - **Les documents confidentiels** : contrat de travail, dossier médical ou documents de votre
              employeur ne se collent pas dans un outil grand public.

            ## Aller plus loin que le résumé

            Une fois le résumé obtenu, continuez la conversation :

            - « Quelles questions devrais-je poser au syndic ? »
            - « Y a-t-il des dates ou des délais dans ce document ? Listez-les. »
            - « Qu'est-ce qui est ambigu, ou pourrait s'interpréter de deux façons ? »

            > **À retenir :** dites pour qui et pour quoi est le résumé, imposez une forme courte, demandez
            > des renvois au texte pour vérifier, et ne collez pas de documents confidentiels.
            """,
        ),
        _lesson(
            "Planifier, organiser, apprendre",
            15,
            """
            ## Un planning réaliste

            L'assistant sait mettre de l'ordre dans une liste de choses à faire. Donnez-lui vos contraintes
            réelles :

            ```
            Vous êtes un coach d'organisation. Voici ce que je dois faire cette
            semaine : préparer l'anniversaire de ma fille samedi (12 enfants),
            remplir ma déclaration de revenus, faire réviser la voiture et
            finir un dossier pour le travail. Je travaille de 9 h à 17 h 30 et
            j'ai deux soirées libres. Proposez un planning jour par jour sous
            forme de tableau, les tâches les plus urgentes en premier.
            ```

            Si le planning ne tient pas, dites-le : « Mercredi soir est impossible, réorganisez. » L'assistant
            réajuste sans que vous ayez à tout réécrire.

            ## Des idées quand vous séchez

            Menus de la semaine avec ce qu'il reste dans le réfrigérateur, sorties avec des enfants un jour de
            pluie, cadeau pour un collègue qui part à la retraite : demandez une liste, puis choisissez.
            Précisez votre budget et vos contraintes (allergies, âge, distance).

            ## Un professeur patient

            C'est l'un des usages les plus utiles, et des moins connus :

            - **Expliquer** : « Expliquez-moi la différence entre un PEA et une assurance-vie, comme si je n'y
              connaissais rien. »
            - **Vérifier votre compréhension** : « Posez-moi cinq questions pour vérifier que j'ai compris, une
              par une, et corrigez mes réponses. »
            - **Pratiquer une langue** : « Discutons en anglais de mon prochain voyage ; corrigez mes fautes à
              la fin de chacune de vos réponses. »
            - **Préparer un entretien** : « Jouez le rôle d'un recruteur pour un poste d'aide-soignant et
              posez-moi des questions, une à la fois. »

            Le mode vocal de l'application mobile rend la pratique orale particulièrement naturelle.

            ## Les limites

            L'assistant ne connaît ni votre agenda réel, ni la météo de samedi, ni les horaires du garage, sauf
            s'il fait une recherche sur le web et vous montre ses sources. Pour apprendre, il peut simplifier à
            l'excès ou se tromper sur un détail : pour un examen ou une décision financière, croisez avec un
            manuel ou un site de référence.

            > **À retenir :** donnez vos contraintes réelles pour un planning, demandez des listes d'idées puis
            > choisissez, et faites-vous interroger pour apprendre : c'est plus efficace que de relire une
            > explication.
            """,
        ),
    ],
    "exercise": {
        "title": "Exercice : résumer un compte rendu de réunion en 5 points",
        "task": _md(
            """
            Vous êtes membre du bureau d'une association de parents d'élèves. Vous avez reçu le compte rendu de
            la dernière réunion : quatre pages de notes sur la kermesse, le budget et les sorties scolaires.
            Vous voulez en faire un résumé en 5 points pour les parents qui n'étaient pas là.

            **Écrivez le prompt** qui accompagnera le texte du compte rendu. Inutile de coller ce texte ici :
            écrivez simplement [COMPTE RENDU] à l'endroit où il irait.

            Pensez au rôle de l'assistant, aux lecteurs du résumé, à la forme attendue (5 points) et aux limites
            à fixer. Votre prompt est vérifié selon une grille de quatre critères : il en faut trois pour
            réussir.
            """
        ),
        "pass_criteria": 3,
        "criteria": [
            criterion(
                "Donne un rôle à l'assistant",
                Check.CONTAINS_ANY,
                ROLE_WORDS,
                "Vous donnez un rôle à l'assistant : il sait quel genre de synthèse produire.",
                "Donnez un rôle, par exemple « Vous êtes le secrétaire de l'association » : le résumé aura le "
                "bon point de vue.",
            ),
            criterion(
                "Dit à qui s'adresse le résumé",
                Check.CONTAINS_ANY,
                [
                    "parents",
                    "absent*",
                    "lecteur*",
                    "destinataire*",
                    "public",
                    "adhérent*",
                    "membres",
                    "pas présents",
                    "pas là",
                ],
                "Vous dites qui lira le résumé : l'assistant choisira ce qui les intéresse.",
                "Dites pour qui est le résumé (les parents absents à la réunion) : l'assistant saura quoi "
                "garder.",
            ),
            criterion(
                "Demande exactement 5 points",
                Check.REGEX,
                [r"\b(?:5|cinq)\s+(?:points?|id[ée]es?|puces?|[ée]l[ée]ments?|phrases?|parties)\b"],
                "Vous demandez 5 points : le résumé sera court et facile à lire.",
                "Précisez la forme : « en 5 points », sinon l'assistant choisira lui-même la longueur.",
            ),
            criterion(
                "Fixe des limites (longueur, fidélité au texte)",
                Check.CONTAINS_ANY,
                [
                    "sans",
                    "maximum",
                    "pas plus de",
                    "au plus",
                    "uniquement",
                    "seulement",
                    "n'ajoute*",
                    "n'invente*",
                    "une phrase par point",
                    "une ligne par point",
                ],
                "Vous fixez des limites : le résumé restera court et fidèle au compte rendu.",
                "Ajoutez une limite, par exemple « une phrase par point, sans rien ajouter qui ne soit dans le "
                "texte ».",
            ),
        ],
    },
    "quiz": [
        single(
            "Pourquoi laisser des informations entre crochets, comme [numéro de client], dans une lettre "
            "générée ?",
            [
                (
                    "Pour compléter soi-même les informations personnelles sans les confier à l'assistant.",
                    True,
                ),
                ("Parce que l'assistant ne sait pas écrire les chiffres.", False),
                ("Parce que l'administration l'exige dans les courriers.", False),
            ],
            "Les crochets marquent ce que vous compléterez vous-même : la lettre est prête, et vos "
            "identifiants ne sont jamais passés par l'assistant.",
        ),
        multiple(
            "Quelles précisions améliorent un résumé ?",
            [
                ("Pour qui est le résumé", True),
                ("La forme attendue, par exemple 5 points", True),
                ("Un renvoi au texte pour chaque point (numéro d'article, phrase citée)", True),
                ("Écrire « résume » en majuscules", False),
            ],
            "Le public, la forme et les renvois au texte rendent le résumé utile et vérifiable. Les majuscules "
            "ne changent rien à la demande.",
        ),
        single(
            "L'assistant vous explique un courrier des impôts et indique une date limite. Que faites-vous ?",
            [
                (
                    "Vous vérifiez la date sur impots.gouv.fr ou auprès de votre centre des finances publiques "
                    "avant d'agir.",
                    True,
                ),
                ("Vous retenez la date indiquée : l'assistant lit mieux le courrier que vous.", False),
                ("Vous lui demandez s'il est sûr de lui, et vous le croyez s'il répond oui.", False),
            ],
            "Une date limite est une information précise, qui engage : elle se vérifie à la source. "
            "L'assistant répond « oui » avec la même assurance qu'il ait raison ou tort.",
        ),
        multiple(
            "Lesquels de ces documents ne doivent pas être collés dans un assistant grand public ?",
            [
                ("Le dossier médical d'un proche", True),
                ("Un document interne confidentiel de votre employeur", True),
                ("Un article de presse publié en ligne", False),
                ("Le règlement d'un concours ouvert au public", False),
            ],
            "Les données de santé d'autrui et les documents confidentiels de votre employeur n'ont rien à "
            "faire dans un outil grand public. Un texte déjà public ne pose pas ce problème.",
        ),
        single(
            "Quelle demande vous aide le mieux à apprendre une notion ?",
            [
                (
                    "« Posez-moi cinq questions pour vérifier que j'ai compris, et corrigez mes réponses. »",
                    True,
                ),
                ("« Écrivez un long texte sur le sujet. »", False),
                ("« Donnez-moi directement les réponses de l'examen. »", False),
            ],
            "Se faire interroger oblige à se souvenir et à reformuler : c'est plus efficace que de relire une "
            "explication, même excellente.",
        ),
    ],
}

CHATGPT_M4 = {
    "title": "Vérifier et rester prudent",
    "summary": (
        "Repérer les réponses inventées, vérifier une information, protéger vos données personnelles et "
        "connaître les autres assistants."
    ),
    "lessons": [
        _lesson(
            "Les hallucinations : quand l'IA invente",
            15,
            """
            ## De quoi parle-t-on ?

            On appelle « hallucination » une réponse fausse présentée avec assurance : une citation jamais
            prononcée, un livre qui n'existe pas, un article de loi mal numéroté, une statistique inventée. Ce
            n'est pas un mensonge volontaire : le modèle produit un texte plausible, et un faux titre de livre
            peut être très plausible.

            ## Quand le risque est le plus élevé

            - les **chiffres précis** : dates, montants, pourcentages ;
            - les **références** : sources, liens, numéros d'articles, décisions de justice ;
            - les **sujets pointus** ou peu documentés : une petite commune, une entreprise locale, une personne
              peu connue ;
            - l'**actualité récente**, si l'assistant n'a pas fait de recherche ;
            - les **questions orientées** : si vous demandez « pourquoi X est-il vrai ? », il aura tendance à le
              justifier, même si X est faux.

            ## Cinq réflexes de vérification

            1. **Demandez les sources, puis ouvrez-les.** Un lien qui ne fonctionne pas, ou une page qui ne dit
               pas la même chose, est un signal d'alerte.
            2. **Vérifiez sur un site de référence** : service-public.fr, legifrance.gouv.fr, le site de
               l'organisme concerné, une encyclopédie.
            3. **Reformulez la question** dans une nouvelle conversation. Si les réponses divergent, méfiance.
            4. **Demandez ce qui est incertain** : « Quelles parties de votre réponse sont les moins sûres ? »
               L'assistant signale souvent lui-même ses points faibles.
            5. **Posez la question sans l'orienter** : plutôt que « confirmez que… », demandez « est-il vrai
               que… ? Donnez les arguments pour et contre. »

            ## Un exemple

            > Citez trois études scientifiques récentes sur les effets de la sieste sur la mémoire, avec les
            > auteurs, l'année et la revue.

            Cette demande est risquée : l'assistant peut produire des références qui ont tout l'air d'être
            vraies. Si la recherche sur le web est active, il citera des pages réelles, qu'il faut tout de même
            ouvrir. Sinon, cherchez chaque titre dans un moteur de recherche ou sur Google Scholar avant de le
            réutiliser.

            ## Une vérification proportionnée

            Tout ne demande pas le même effort. Un menu de la semaine : aucune vérification. Un e-mail à un
            ami : une relecture. Une démarche administrative, une information de santé, un chiffre que vous
            allez publier : une vérification systématique à la source.

            > **À retenir :** plus une réponse est précise (chiffre, référence, date), plus elle doit être
            > vérifiée à la source. Demandez les sources, ouvrez-les, et ne posez pas de questions qui
            > contiennent déjà la réponse.
            """,
        ),
        _lesson(
            "Vos données personnelles et le RGPD",
            15,
            """
            ## Ce que devient ce que vous tapez

            Vos messages sont envoyés aux serveurs de l'éditeur, traités, puis conservés dans votre historique.
            Selon vos réglages, ils peuvent aussi servir à améliorer les modèles. Dans certains cas, des
            personnes habilitées peuvent les consulter, par exemple pour enquêter sur un abus. Ce n'est pas un
            journal intime.

            ## Ce que le RGPD vous garantit

            Le Règlement général sur la protection des données s'applique aux entreprises qui proposent leurs
            services à des personnes dans l'Union européenne, éditeurs américains compris. Il vous donne
            notamment le droit :

            - d'**être informé** de ce qui est fait de vos données (c'est le rôle de la politique de
              confidentialité) ;
            - d'**accéder** à vos données et d'en obtenir une copie (les assistants proposent en général un
              export de vos conversations) ;
            - de les faire **rectifier** ou **effacer** ;
            - de vous **opposer** à certains usages, comme l'entraînement des modèles.

            En cas de difficulté, vous pouvez adresser une plainte à la CNIL, l'autorité française de
            protection des données.

            ## Les données des autres

            C'est le point le plus souvent oublié. Quand vous collez le message d'un ami, le compte rendu d'une
            réunion d'association avec le nom des participants ou le bulletin scolaire de votre enfant, vous
            transmettez les données d'autres personnes, sans leur accord. Pour un usage strictement personnel,
            le RGPD ne vous impose pas d'obligations à vous-même ; dès que vous agissez pour une association ou
            un employeur, il s'applique. Dans tous les cas, le bon sens demeure : anonymisez.

            ## Les bonnes pratiques

            - Remplacez les noms et les adresses par des rôles : « ma voisine », « le président du club ».
            - Utilisez la discussion temporaire pour les questions personnelles.
            - Désactivez l'entraînement sur vos conversations si vous ne le souhaitez pas.
            - Faites le ménage : supprimez les conversations inutiles et vérifiez la mémoire.
            - Méfiez-vous des extensions et applications tierces « basées sur ChatGPT » : elles ont leurs propres
              conditions, souvent moins protectrices.

            ## Un cas pratique

            Vous voulez écrire à l'enseignante de votre fils, qui a des difficultés en lecture :

            > Je suis parent d'un élève de CE1 qui a des difficultés en lecture. Aidez-moi à écrire un message
            > court et constructif à son enseignante pour demander un rendez-vous. Ton cordial, 80 mots au
            > maximum.

            Ni le nom de l'enfant, ni celui de l'école, ni un éventuel bilan médical : ils n'apportent rien à la
            qualité du message.

            > **À retenir :** ce que vous tapez est conservé par l'éditeur ; le RGPD vous donne des droits
            > d'accès, d'effacement et d'opposition ; n'exposez ni vos données sensibles ni celles des autres.
            """,
        ),
        _lesson(
            "Les autres assistants : Le Chat, Copilot, Gemini, Grok",
            15,
            """
            ## ChatGPT n'est pas seul

            Tout ce que vous avez appris dans cette formation (les six ingrédients, l'itération, la
            vérification) vaut pour les autres assistants. Ils se ressemblent beaucoup ; les différences tiennent
            à l'éditeur, aux intégrations et à la politique de données.

            ## Le Chat, de Mistral AI

            Mistral AI est une entreprise française fondée en 2023. Son assistant, Le Chat, existe sur le web et
            en application mobile, avec une version gratuite et une offre Pro. Il répond très bien en français,
            il est rapide, et son éditeur relève du droit européen. C'est une bonne option si vous préférez un
            acteur européen.

            ## Copilot, de Microsoft

            Copilot est intégré à Windows, au navigateur Edge et, avec les abonnements payants, aux
            applications Microsoft 365 (Word, Excel, Outlook). Il s'appuie en partie sur des modèles d'OpenAI.
            Son intérêt : il est là où vous travaillez déjà, et il cite volontiers ses sources web.

            ## Gemini, de Google

            Gemini est l'assistant de Google. Il s'intègre à Gmail, Google Docs et Android. Pratique si vous
            vivez dans l'univers Google ; vérifiez dans ses paramètres ce qui est conservé de vos conversations
            et pendant combien de temps.

            ## Grok, de xAI

            Grok est développé par xAI, la société d'Elon Musk, et intégré au réseau social X. Il puise
            notamment dans les publications de X pour l'actualité, ce qui le rend réactif, mais aussi exposé
            aux rumeurs qui y circulent. Son ton se veut plus libre. Sur X, vérifiez dans les paramètres de
            confidentialité si vos publications servent à son entraînement.

            ## Comment choisir ?

            | Critère | Question à vous poser |
            |---|---|
            | Langue | Les réponses en français sont-elles naturelles ? |
            | Intégration | L'assistant est-il dans les outils que j'utilise déjà ? |
            | Données | Qui est l'éditeur, où sont traitées mes données, puis-je refuser l'entraînement ? |
            | Coût | La version gratuite me suffit-elle ? |

            Le meilleur test reste le vôtre : posez la même demande à deux assistants et comparez.

            ```
            Vous êtes un guide culinaire. Proposez trois idées de dîner
            végétarien prêt en 20 minutes, avec pour chacune la liste des
            ingrédients, sous forme de tableau.
            ```

            Vous verrez vite lequel vous convient, et pour quel usage. Beaucoup de personnes en utilisent deux :
            un pour écrire, un autre pour chercher.

            > **À retenir :** les bonnes pratiques sont les mêmes d'un assistant à l'autre ; choisissez selon la
            > langue, vos outils habituels et la politique de données de l'éditeur, et comparez sur vos propres
            > demandes.
            """,
        ),
    ],
    "quiz": [
        single(
            "Qu'est-ce qu'une « hallucination » d'un assistant d'IA ?",
            [
                ("Une réponse fausse présentée avec assurance, comme une référence inventée", True),
                ("Une panne qui fait planter l'application", False),
                ("Une réponse volontairement trompeuse, programmée par l'éditeur", False),
            ],
            "Le modèle produit un texte plausible ; une fausse référence peut l'être tout autant qu'une vraie. "
            "Ce n'est ni une panne ni un mensonge volontaire.",
        ),
        multiple(
            "Quels réflexes aident à repérer une réponse inventée ?",
            [
                ("Demander les sources et les ouvrir", True),
                ("Reposer la question autrement dans une nouvelle conversation", True),
                ("Demander quelles parties de la réponse sont les moins sûres", True),
                ("Demander « confirmez que c'est vrai » et se fier à la réponse", False),
            ],
            "Ouvrir les sources, comparer deux formulations et faire signaler les incertitudes sont efficaces. "
            "Une demande de confirmation obtient presque toujours un « oui », juste ou non.",
        ),
        multiple(
            "Quels droits le RGPD vous donne-t-il sur les données confiées à un assistant ?",
            [
                ("Obtenir une copie de vos données", True),
                ("Demander leur effacement", True),
                ("Vous opposer à certains usages, comme l'entraînement des modèles", True),
                ("Exiger que l'assistant ne se trompe jamais", False),
            ],
            "Accès, rectification, effacement et opposition sont des droits garantis par le RGPD. L'exactitude "
            "des réponses n'en fait pas partie : c'est à vous de vérifier.",
        ),
        single(
            "Quelle entreprise développe l'assistant Le Chat ?",
            [
                ("Mistral AI, une entreprise française", True),
                ("Microsoft", False),
                ("xAI", False),
            ],
            "Le Chat est l'assistant de Mistral AI, fondée en France en 2023. Microsoft édite Copilot, xAI "
            "édite Grok.",
        ),
        single(
            "Quelle question risque le plus d'obtenir une réponse biaisée ?",
            [
                ("« Pourquoi le vinaigre guérit-il les rhumes ? »", True),
                (
                    "« Le vinaigre a-t-il un effet sur les rhumes ? Donnez les arguments pour et contre. »",
                    False,
                ),
                ("« Que dit la recherche sur le vinaigre et les rhumes ? Citez vos sources. »", False),
            ],
            "La première question présuppose la réponse : l'assistant aura tendance à la justifier. Une "
            "question ouverte, qui demande le pour, le contre et les sources, limite ce biais.",
        ),
    ],
}

CHATGPT_AU_QUOTIDIEN = {
    "slug": "chatgpt-au-quotidien",
    "title": "ChatGPT au quotidien",
    "summary": (
        "Six heures pour utiliser ChatGPT avec méthode dans votre vie de tous les jours : écrire de bons "
        "prompts, gagner du temps sur vos e-mails et vos démarches, vérifier les réponses et protéger vos "
        "données."
    ),
    "description": _md(
        """
        Vous avez entendu parler de ChatGPT, vous l'avez peut-être essayé, et vous vous demandez comment en
        tirer quelque chose d'utile sans y passer vos soirées. Cette formation part de zéro et va droit au
        concret.

        ## Pour qui ?

        Pour toute personne qui veut se servir d'un assistant d'IA à titre personnel : rédiger un e-mail
        délicat, comprendre un courrier administratif, résumer un document, organiser une semaine chargée ou
        apprendre quelque chose de nouveau. Aucune compétence technique n'est nécessaire : si vous savez
        envoyer un e-mail, vous pouvez suivre cette formation.

        ## Comment elle se déroule

        - 4 modules et 12 leçons courtes, à lire à votre rythme, avec des prompts prêts à adapter ;
        - un quiz à la fin de chaque module pour vérifier ce que vous avez retenu ;
        - 2 exercices pratiques : vous écrivez un prompt, il est évalué tout de suite selon une grille claire ;
        - un certificat de 6 heures quand tout est validé.

        ## Ce dont vous avez besoin

        Un ordinateur ou un smartphone, une adresse e-mail et un compte ChatGPT gratuit : la deuxième leçon
        du module 1 vous montre comment le créer. Tout ce qui est présenté fonctionne aussi avec Le Chat de
        Mistral AI ou Copilot de Microsoft.
        """
    ),
    "audience": Audience.INDIVIDUAL,
    "level": TrainingLevel.BEGINNER,
    "duration_hours": Decimal("6.0"),
    "outcomes": [
        "Expliquer simplement ce qu'est ChatGPT, ce qu'il fait bien et où il se trompe",
        "Créer votre compte et régler les paramètres de confidentialité",
        "Écrire un prompt complet : rôle, contexte, tâche, format, contraintes, exemple",
        "Rédiger en quelques minutes un e-mail, une lettre ou une réclamation",
        "Faire résumer un long document sans perdre l'essentiel",
        "Repérer une réponse inventée et vérifier une information à la source",
        "Savoir quelles données ne jamais confier à un assistant d'IA",
    ],
    "price_text": "190 € TTC par personne, accès pendant un an",
    "order": 10,
    "access_code": "DECOUVERTE-CHATGPT",
    "modules": [CHATGPT_M1, CHATGPT_M2, CHATGPT_M3, CHATGPT_M4],
}


# =====================================================================================================================
# « L'IA dans votre PME » — businesses, intermediate, 10,5 h

PME_M1 = {
    "title": "Où l'IA fait gagner du temps dans une PME",
    "summary": (
        "Repérer les tâches répétitives, estimer honnêtement les heures gagnées et choisir par où commencer."
    ),
    "lessons": [
        _lesson(
            "Cartographier les tâches répétitives",
            20,
            """
            ## Commencer par le travail, pas par l'outil

            La bonne question n'est pas « que sait faire ChatGPT ? », mais « où passons-nous du temps sur des
            tâches qui se ressemblent ? ». Les PME qui tirent profit de l'IA commencent presque toutes par un
            inventaire simple de leurs tâches, métier par métier.

            ## Les familles de tâches où l'IA aide vraiment

            - **Rédaction** : réponses aux e-mails courants, devis et propositions, annonces, fiches produits,
              comptes rendus.
            - **Synthèse** : appels d'offres, réunions, retours clients, veille réglementaire.
            - **Extraction** : lire des factures, des bons de commande ou des formulaires et en reporter les
              données.
            - **Tri** : classer les demandes entrantes, étiqueter des tickets, orienter un e-mail vers la bonne
              personne.
            - **Réponses récurrentes** : questions fréquentes des clients ou des salariés, à partir de documents
              existants.
            - **Traduction** : documentation, échanges avec des fournisseurs étrangers.

            ## L'atelier d'inventaire

            Réunissez une personne par service pendant une heure. Pour chaque tâche citée, notez dans un tableau
            partagé :

            | Tâche | Qui | Fréquence | Durée unitaire | Données utilisées |
            |---|---|---|---|---|
            | Répondre aux demandes de devis | Commercial | 15 par semaine | 20 min | Catalogue, tarifs |
            | Compte rendu de chantier | Chef d'équipe | 5 par semaine | 30 min | Notes, photos |
            | Saisie des factures fournisseurs | Comptabilité | 120 par mois | 4 min | Factures PDF |

            Posez trois questions pour chaque ligne : la tâche est-elle **fréquente** ? Suit-elle une **logique
            répétable** ? Un humain peut-il **vérifier** le résultat rapidement ? Trois « oui » font une bonne
            candidate.

            ## Préparer l'atelier avec l'assistant

            Pour ne pas partir d'une page blanche, faites-vous proposer une première liste :

            ```
            Vous êtes consultant en organisation pour les PME. Nous sommes une
            entreprise de plomberie de 12 salariés : 2 au bureau, 10 sur les
            chantiers. Listez les tâches administratives et commerciales
            répétitives typiques d'une entreprise comme la nôtre, sous forme de
            tableau : tâche, fréquence habituelle, qui la fait. Ne proposez pas
            encore de solution.
            ```

            Cette liste sert d'amorce : l'atelier la corrige avec la réalité de chaque poste.

            ## Ce que l'IA ne fera pas à votre place

            Les tâches qui reposent sur une relation (négocier, annoncer une mauvaise nouvelle), sur une
            responsabilité (signer, décider d'une embauche) ou sur un savoir-faire que personne n'a écrit restent
            humaines. L'IA peut préparer, jamais endosser.

            > **À retenir :** partez des tâches, pas des outils. Une bonne candidate est fréquente, répétable,
            > et un humain peut en vérifier le résultat rapidement.
            """,
        ),
        _lesson(
            "Estimer les heures gagnées, honnêtement",
            20,
            """
            ## Une formule simple

            Pour chaque tâche candidate :

            **heures gagnées par mois = volume mensuel × durée unitaire × part du temps économisée**

            La part économisée est le point délicat. L'IA ne fait pas disparaître la tâche : il reste à lui
            donner les informations, à relire, à corriger, parfois à recommencer. Pour une tâche de rédaction,
            partez d'une hypothèse prudente, entre 30 et 50 %, et mesurez-la pendant le pilote. Au-delà, soyez
            sceptique.

            ## Un exemple chiffré

            Reprenons les demandes de devis : 15 par semaine, soit environ 65 par mois, à 20 minutes chacune.

            - temps actuel : 65 × 20 min = 1 300 min, soit environ 21,7 heures par mois ;
            - hypothèse prudente de 40 % économisés : environ 8,7 heures par mois ;
            - sur un an de 11 mois travaillés : environ 95 heures.

            À 35 € de coût horaire chargé, cela représente environ 3 300 € par an, à comparer au prix de l'outil
            et au temps de mise en place.

            ## Ce que la formule oublie

            - **Le temps d'apprentissage** : les premières semaines, on va moins vite.
            - **La relecture**, qui ne disparaît jamais, et ne doit pas disparaître.
            - **Les gains de qualité**, plus difficiles à chiffrer : devis envoyés le jour même, réponses plus
              homogènes, moins d'oublis.
            - **Le coût d'une erreur** : un prix faux dans un devis envoyé se paie.

            ## Se faire aider pour le calcul

            L'assistant peut structurer le calcul pour l'ensemble de vos tâches :

            > Voici notre tableau de tâches (tâche, volume mensuel, durée unitaire). Pour chaque ligne, proposez
            > une fourchette basse et une fourchette haute de temps économisé avec un assistant d'IA, en
            > expliquant votre hypothèse en une phrase. Présentez le résultat en tableau, avec le total mensuel.

            Il donnera des ordres de grandeur généraux, pas des mesures. Ce sont vos chiffres, relevés pendant
            le pilote, qui trancheront.

            ## Mesurer avant de changer

            Avant tout déploiement, chronométrez la tâche telle qu'elle est faite aujourd'hui, sur une ou deux
            semaines. Sans point de départ, vous ne pourrez jamais dire ce que l'IA a apporté, ni convaincre ceux
            qui en doutent.

            > **À retenir :** heures gagnées = volume × durée × part économisée. Prenez une hypothèse prudente
            > (30 à 50 % pour la rédaction), comptez la relecture, et mesurez la situation de départ avant de
            > changer quoi que ce soit.
            """,
        ),
        _lesson(
            "Choisir vos trois premiers cas d'usage",
            15,
            """
            ## Gain, effort, risque

            Notez chaque tâche candidate de 1 à 3 sur trois critères :

            - **Gain** : heures économisées et bénéfice de qualité ;
            - **Effort** : outil à acheter, données à préparer, habitudes à changer ;
            - **Risque** : conséquences d'une erreur, sensibilité des données, exposition au client.

            Commencez par les tâches à **gain élevé, effort faible et risque faible**. Typiquement : les premiers
            jets de documents relus par un humain, les résumés internes, les réponses types aux e-mails
            courants.

            ## Les pièges classiques

            - **Commencer par le projet le plus ambitieux**, par exemple un assistant client en ligne branché
              sur tout le système d'information. Il prendra des mois, et un échec découragera tout le monde.
            - **Commencer par un usage sensible** : tri des candidatures, décisions de crédit, conseils de santé.
              Ce sont justement les usages que l'AI Act encadre le plus (voir le module 3).
            - **Choisir un cas que personne ne réclame** : si l'équipe n'y voit pas son intérêt, l'outil
              restera inutilisé.

            ## Une matrice sur une page

            | Cas d'usage | Gain | Effort | Risque | Décision |
            |---|---|---|---|---|
            | Premier jet des devis | 3 | 1 | 2 | Pilote |
            | Comptes rendus de chantier dictés puis mis en forme | 2 | 1 | 1 | Pilote |
            | Réponses aux questions fréquentes des clients | 3 | 2 | 2 | Pilote, validation humaine |
            | Tri automatique des CV | 2 | 2 | 3 | Écarté |

            ## Se faire challenger

            Une fois votre matrice remplie, soumettez-la à l'assistant :

            ```
            Vous êtes un consultant qui accompagne des PME dans leurs premiers
            projets d'IA. Voici notre matrice gain, effort, risque pour quatre
            cas d'usage. Pour chacun, indiquez un risque que nous avons pu
            sous-estimer et une condition de réussite. Répondez en tableau,
            sans recommander d'outil précis.
            ```

            ## Trois, pas dix

            Trois cas d'usage suffisent pour un premier pilote : assez pour apprendre, assez peu pour suivre
            chacun correctement. Nommez un responsable par cas, qui fait le point chaque semaine et tient les
            chiffres à jour.

            > **À retenir :** choisissez trois cas à gain élevé, effort faible et risque faible ; écartez pour
            > l'instant les usages sensibles (recrutement, décisions sur les personnes) ; nommez un responsable
            > par cas.
            """,
        ),
    ],
    "exercise": {
        "title": "Exercice : faire rédiger une annonce de recrutement",
        "task": _md(
            """
            Votre entreprise, une menuiserie de 18 salariés près d'Angers, recrute en CDI un ou une assistante
            administrative et commerciale. Le poste : accueil téléphonique, devis simples, suivi des commandes,
            relances de factures. L'annonce paraîtra sur votre site et sur les sites d'emploi.

            **Écrivez le prompt** qui fera produire cette annonce par un assistant d'IA. Pensez :

            - au rôle de l'assistant ;
            - au contexte : l'entreprise, le poste, les conditions ;
            - au format de l'annonce (parties, longueur) ;
            - aux règles à respecter : une offre d'emploi ne doit contenir aucun critère discriminatoire (âge,
              sexe, situation familiale…) ;
            - à un exemple du ton ou d'une formulation que vous aimez.

            Votre prompt est vérifié selon une grille de cinq critères : il en faut quatre pour réussir.
            """
        ),
        "pass_criteria": 4,
        "criteria": [
            criterion(
                "Donne un rôle à l'assistant",
                Check.CONTAINS_ANY,
                ROLE_WORDS,
                "Vous donnez un rôle à l'assistant : il écrira comme un recruteur, pas comme un dépliant.",
                "Donnez un rôle, par exemple « Vous êtes chargé de recrutement dans une PME » : l'annonce sera "
                "plus professionnelle.",
            ),
            criterion(
                "Décrit l'entreprise et le poste (50 mots au moins)",
                Check.MIN_WORDS,
                ["50"],
                "Votre prompt donne assez de contexte sur l'entreprise et le poste.",
                "Votre prompt est trop court : décrivez l'entreprise, les missions et les conditions du poste, "
                "sinon l'annonce restera générique.",
            ),
            criterion(
                "Précise la structure ou la longueur de l'annonce",
                Check.HAS_FORMAT,
                ["parties", "rubriques", "sections", "intitulé"],
                "Vous imposez une structure : l'annonce sera facile à lire et à comparer.",
                "Précisez la forme, par exemple « quatre parties : l'entreprise, les missions, le profil, les "
                "conditions ; 250 mots au maximum ».",
            ),
            criterion(
                "Demande une annonce non discriminatoire",
                Check.CONTAINS_ANY,
                [
                    "discrimin*",
                    "h/f",
                    "f/h",
                    "femme ou homme",
                    "homme ou femme",
                    "inclusi*",
                    "épicène",
                    "égalité",
                ],
                "Vous rappelez la règle de non-discrimination : l'annonce sera conforme et ouverte à tous.",
                "Demandez une annonce sans critère discriminatoire (âge, sexe, situation familiale) et un "
                "intitulé H/F : c'est une obligation légale.",
            ),
            criterion(
                "Donne un exemple de ton ou de formulation",
                Check.HAS_EXAMPLE,
                [],
                "Votre exemple montre le ton attendu : l'annonce vous ressemblera.",
                "Ajoutez un exemple, par exemple une phrase de votre site entre guillemets, pour montrer le ton "
                "de l'entreprise.",
            ),
        ],
    },
    "quiz": [
        multiple(
            "Quelles caractéristiques font d'une tâche une bonne candidate pour l'IA ?",
            [
                ("Elle est fréquente.", True),
                ("Elle suit une logique répétable.", True),
                ("Un humain peut en vérifier le résultat rapidement.", True),
                ("Elle engage l'entreprise sans relecture possible.", False),
            ],
            "Fréquente, répétable, vérifiable : ces trois « oui » font une bonne candidate. Une tâche qui "
            "engage l'entreprise sans relecture est au contraire à écarter.",
        ),
        single(
            "Une tâche prend 10 minutes, 120 fois par mois. Avec une économie prudente de 40 %, combien "
            "d'heures gagnez-vous par mois ?",
            [
                ("8 heures", True),
                ("20 heures", False),
                ("12 heures", False),
                ("4 heures", False),
            ],
            "120 × 10 minutes = 1 200 minutes, soit 20 heures par mois ; 40 % de 20 heures font 8 heures.",
        ),
        single(
            "Par quel cas d'usage est-il raisonnable de commencer ?",
            [
                ("Le premier jet des devis, relu par le commercial", True),
                ("Le tri automatique des candidatures", False),
                ("Un assistant client branché sur tout le système d'information", False),
            ],
            "Le premier jet de devis relu par un humain combine gain élevé, effort faible et risque maîtrisé. "
            "Le tri des candidatures est un usage sensible ; l'assistant branché partout, un projet long.",
        ),
        single(
            "Pourquoi chronométrer une tâche avant de déployer l'IA ?",
            [
                ("Sans situation de départ mesurée, impossible de savoir ce que l'IA a apporté.", True),
                ("Pour fixer des objectifs de productivité individuels à chaque salarié.", False),
                ("Parce que l'AI Act l'impose.", False),
            ],
            "La mesure de départ sert à évaluer l'outil, pas à surveiller les personnes. Aucun texte ne "
            "l'impose : c'est simplement la seule façon de prouver un gain.",
        ),
        multiple(
            "Que la formule « volume × durée × part économisée » ne prend-elle pas en compte ?",
            [
                ("Le temps d'apprentissage des premières semaines", True),
                ("Les gains de qualité, comme des devis envoyés plus vite", True),
                ("Le coût d'une erreur", True),
                ("Le nombre de fois où la tâche est faite", False),
            ],
            "Le volume fait partie de la formule. L'apprentissage, la qualité et le coût d'une erreur, eux, "
            "restent à examiner à part.",
        ),
    ],
}

PME_M2 = {
    "title": "Outils et choix",
    "summary": (
        "Les assistants professionnels, les outils d'automatisation et une grille pour choisir selon vos "
        "données, votre budget et vos exigences de confidentialité."
    ),
    "lessons": [
        _lesson(
            "Les assistants professionnels",
            20,
            """
            ## Pourquoi pas les comptes gratuits ?

            Les versions gratuites et personnelles des assistants ne sont pas conçues pour l'entreprise : pas
            d'administration des comptes, pas de contrat de traitement des données adapté et, par défaut, des
            conversations qui peuvent servir à l'entraînement. Les offres professionnelles règlent ces trois
            points.

            ## Les principales offres

            Les noms et les prix changent souvent : vérifiez toujours la page de l'éditeur. En ordre de grandeur,
            au moment où nous écrivons :

            - **ChatGPT (OpenAI)**, offres pour les équipes (Team, renommée Business) et Enterprise : espace de
              travail partagé, administration des utilisateurs, pas d'entraînement sur vos données par défaut,
              assistants personnalisés partagés. Comptez de l'ordre de 25 à 30 $ par utilisateur et par mois
              pour l'offre équipe ; Enterprise est sur devis, avec davantage d'options de sécurité, dont le
              stockage des données en Europe.
            - **Le Chat (Mistral AI)**, offres Pro, Team et Enterprise : éditeur français, très bon en français,
              données hébergées en Europe par défaut selon l'éditeur, déploiement possible sur vos propres
              serveurs avec l'offre Enterprise. Le Chat Pro coûte environ 15 € par mois.
            - **Microsoft 365 Copilot** : intégré à Outlook, Word, Excel et Teams, il travaille sur vos documents
              et vos e-mails en respectant les droits d'accès existants. Comptez de l'ordre de 20 à 30 € par
              utilisateur et par mois, en plus de la licence Microsoft 365.
            - **Gemini pour Google Workspace** : l'équivalent dans Gmail, Docs et Drive, inclus dans la plupart
              des formules Workspace professionnelles.

            ## Généraliste ou intégré ?

            - Un **assistant généraliste** (ChatGPT, Le Chat) : vous y apportez vos textes et documents. Souple,
              rapide à déployer.
            - Un **assistant intégré** (Copilot, Gemini) : il accède directement à vos e-mails et fichiers. Plus
              puissant au quotidien, à condition que vos droits d'accès soient propres : si un dossier RH est
              lisible par toute l'entreprise, l'assistant le retrouvera aussi.

            ## Un essai comparatif en une heure

            Avant de choisir, testez deux outils sur vos vraies tâches, avec des données fictives ou publiques :

            > Vous êtes l'assistant commercial d'une menuiserie. À partir de la fiche produit ci-dessous,
            > rédigez une réponse à un client qui demande si nos fenêtres en bois conviennent à une maison en
            > bord de mer. Ton professionnel, 120 mots au maximum, et terminez par une proposition de
            > rendez-vous.

            Comparez la justesse, le ton, la rapidité et le temps de correction nécessaire. Notez les résultats :
            ils justifieront le choix.

            > **À retenir :** pour l'entreprise, prenez une offre professionnelle (administration, contrat, pas
            > d'entraînement sur vos données) ; choisissez entre généraliste et intégré selon vos outils, et
            > testez sur vos propres tâches.
            """,
        ),
        _lesson(
            "Automatiser : Make, Zapier, n8n",
            20,
            """
            ## Au-delà de la conversation

            Un assistant répond quand on lui parle. Un outil d'automatisation, lui, enchaîne des actions sans
            intervention : « quand un formulaire est rempli sur le site, créer le contact dans le CRM, demander
            à l'IA un résumé de la demande, l'envoyer au bon commercial ». L'IA devient une étape parmi
            d'autres.

            ## Trois outils courants

            - **Zapier** (éditeur américain) : le plus simple à prendre en main, des milliers d'applications
              connectées ; facturé au nombre de tâches exécutées, il peut coûter cher à gros volume.
            - **Make** (ex-Integromat, éditeur d'origine tchèque) : une interface visuelle en schéma, très souple
              pour les scénarios complexes, en général moins cher à volume égal.
            - **n8n** (éditeur allemand) : en service hébergé ou installé sur vos propres serveurs. C'est l'option
              à privilégier quand les données ne doivent pas sortir de votre infrastructure, mais elle demande
              des compétences techniques.

            ## Un scénario type

            Les demandes du site arrivent en vrac dans une boîte e-mail. Un scénario automatisé :

            1. **Déclencheur** : un nouvel e-mail arrive sur l'adresse de contact.
            2. **IA** : l'assistant classe la demande (devis, SAV, candidature, autre) et en extrait le nom, la
               ville et le besoin.
            3. **Action** : la fiche est créée dans le CRM et la personne concernée est prévenue.
            4. **Contrôle humain** : rien n'est envoyé au client sans validation.

            Le prompt de l'étape 2 doit être très cadré, car sa réponse sera lue par une machine :

            ```
            Classez la demande ci-dessous dans une seule de ces catégories :
            DEVIS, SAV, CANDIDATURE, AUTRE. Extrayez ensuite le nom, la ville
            et le besoin en une phrase. Répondez uniquement en JSON, avec les
            clés categorie, nom, ville, besoin. Si une information manque,
            mettez null.
            ```

            ## Les précautions

            - Chaque étape qui envoie des données à un service d'IA est un **transfert de données** : vérifiez
              où elles vont (module 3). Même avec n8n installé chez vous, une étape qui appelle un service d'IA
              externe fait sortir les données qu'elle lui envoie.
            - Prévoyez le cas où l'IA se trompe ou ne répond pas : une file « à vérifier » plutôt qu'une erreur
              silencieuse.
            - Documentez chaque scénario (qui l'a créé, ce qu'il fait, quelles données il manipule) : dans six
              mois, quelqu'un devra le maintenir.

            > **À retenir :** l'automatisation fait de l'IA une étape d'un processus. Cadrez strictement le
            > prompt, gardez un contrôle humain avant tout envoi au client, et documentez chaque scénario.
            """,
        ),
        _lesson(
            "Choisir avec une grille : données, coût, confidentialité",
            20,
            """
            ## Cinq questions avant de signer

            1. **Où les données sont-elles traitées et stockées ?** Dans l'Union européenne, ou hors de l'UE
               avec des garanties (par exemple le cadre de transfert de données entre l'UE et les États-Unis) ?
            2. **Servent-elles à entraîner les modèles ?** Pour une offre professionnelle, la réponse doit être
               non, et écrite dans le contrat.
            3. **Quel contrat de traitement des données (DPA) est proposé ?** C'est le contrat de sous-traitance
               exigé par l'article 28 du RGPD.
            4. **Combien cela coûte-t-il vraiment ?** Les licences, mais aussi la mise en place, la formation
               et, pour l'automatisation, le coût à l'usage.
            5. **Peut-on en sortir ?** Export des conversations, des assistants configurés, des scénarios.

            ## Une grille de notation

            | Critère | Poids | Outil A | Outil B |
            |---|---|---|---|
            | Localisation des données | 3 | | |
            | Pas d'entraînement, DPA signé | 3 | | |
            | Qualité sur nos tâches tests | 3 | | |
            | Intégration à nos outils | 2 | | |
            | Coût total sur un an | 2 | | |
            | Administration des comptes | 1 | | |

            Notez chaque outil de 1 à 5 sur chaque critère, multipliez par le poids, additionnez. La grille ne
            décide pas à votre place, mais elle rend la décision explicable à la direction comme à l'équipe.

            ## Le coût sur un an

            Pour 8 utilisateurs à 25 € par mois : 8 × 25 × 12 = 2 400 € par an. Ajoutez une journée de mise en
            place et de formation, puis comparez au temps gagné estimé au module 1. Si l'estimation prudente ne
            couvre pas le coût, réduisez le périmètre : tout le monde n'a pas besoin d'une licence le premier
            jour.

            ## Préparer les questions avec l'assistant

            > Vous êtes responsable des achats informatiques d'une PME de 30 personnes. Préparez la liste des
            > questions à poser à un éditeur d'assistant d'IA avant de signer, classées en trois rubriques :
            > données et sécurité, contrat, coût. Quinze questions au maximum, sous forme de liste numérotée.

            Vérifiez ensuite les réponses dans les documents contractuels de l'éditeur (conditions, DPA,
            politique de sécurité), pas sur sa page commerciale.

            > **À retenir :** localisation des données, absence d'entraînement, DPA, coût total et
            > réversibilité : ces cinq critères, pondérés dans une grille, rendent le choix défendable.
            """,
        ),
        _lesson(
            "Rédiger les instructions d'un assistant maison",
            20,
            """
            ## Un assistant configuré une fois pour toutes

            Les offres professionnelles permettent de créer des assistants personnalisés : les GPT dans ChatGPT,
            les agents dans Le Chat, les agents de Copilot Studio chez Microsoft. Vous leur donnez des
            **instructions permanentes** et des **documents de référence** ; vos collègues, ou vos clients,
            n'ont plus qu'à poser leurs questions.

            ## La structure d'instructions qui fonctionne

            De bonnes instructions reprennent les ingrédients d'un bon prompt, pensés pour durer :

            1. **Rôle et mission** : « Vous êtes l'assistant du service client de [entreprise]. Vous répondez
               aux questions des clients sur nos produits, nos délais et nos garanties. »
            2. **Sources** : « Appuyez-vous uniquement sur les documents fournis : FAQ et conditions générales
               de vente. »
            3. **Ce qu'il ne doit pas faire** : « Si la réponse n'est pas dans les documents, dites-le et
               proposez de transmettre la question à un conseiller. N'inventez jamais un prix, un délai ou une
               promesse. »
            4. **Ton et format** : « Vouvoiement, ton cordial, 120 mots au maximum, une question de relance si
               la demande est floue. »
            5. **Exemples** : une ou deux vraies questions, avec la réponse idéale.

            ## Un exemple dans les instructions

            > Exemple : à la question « Livrez-vous en Corse ? », répondez « Oui, nous livrons en Corse sous 5 à
            > 7 jours ouvrés, avec un supplément de 25 €. Voulez-vous le délai pour un produit précis ? »

            Les exemples fixent le ton bien mieux qu'une description.

            ## Tester avant d'ouvrir

            Préparez une vingtaine de questions réelles, dont des pièges : une question hors sujet, une demande
            de remise, une question dont la réponse n'est pas dans la FAQ, un message agressif. Vérifiez que
            l'assistant :

            - répond juste quand la réponse est dans les documents ;
            - dit qu'il ne sait pas quand elle n'y est pas ;
            - garde le ton demandé en toutes circonstances.

            Gardez ces questions : vous les reposerez après chaque modification des instructions ou de la FAQ.

            ## Informer les utilisateurs

            Si l'assistant dialogue directement avec vos clients, dites-leur clairement qu'ils échangent avec
            une IA, et offrez toujours un moyen de joindre une personne. C'est une attente légitime des clients,
            et l'AI Act prévoit une obligation de transparence pour ces échanges.

            > **À retenir :** des instructions permanentes, ce sont un rôle, des sources, des interdits, un ton,
            > un format et des exemples. Testez avec des questions pièges avant d'ouvrir, et annoncez clairement
            > aux clients qu'ils parlent à une IA.
            """,
        ),
    ],
    "exercise": {
        "title": "Exercice : l'assistant des questions fréquentes",
        "task": _md(
            """
            Votre entreprise vend du matériel de jardinage en ligne. Le service client reçoit chaque jour les
            mêmes questions : délais de livraison, retours, garantie, suivi de commande. Vous disposez d'une FAQ
            de 30 questions et de vos conditions générales de vente.

            **Rédigez les instructions** (le prompt permanent) d'un assistant qui répondra aux questions
            fréquentes des clients à partir de cette FAQ. Votre texte doit :

            - donner un rôle et une mission à l'assistant ;
            - lui dire de s'appuyer sur la FAQ seulement, sans rien inventer ;
            - prévoir ce qu'il fait quand la réponse n'est pas dans la FAQ ;
            - fixer le ton et la longueur des réponses ;
            - montrer au moins un exemple de question et de réponse.

            Votre prompt est vérifié selon une grille de cinq critères : il en faut quatre pour réussir.
            """
        ),
        "pass_criteria": 4,
        "criteria": [
            criterion(
                "Donne un rôle et une mission à l'assistant",
                Check.CONTAINS_ANY,
                ROLE_WORDS,
                "Vous donnez un rôle à l'assistant : il sait pour qui il parle et de quoi.",
                "Commencez par un rôle, par exemple « Vous êtes l'assistant du service client de… » : "
                "l'assistant saura pour qui il parle.",
            ),
            criterion(
                "Limite l'assistant à la FAQ, sans rien inventer",
                Check.CONTAINS_ANY,
                [
                    "uniquement",
                    "seulement",
                    "exclusivement",
                    "n'invente*",
                    "ne pas inventer",
                    "jamais inventer",
                    "rien inventer",
                    "strictement",
                ],
                "Vous limitez l'assistant à la FAQ : il ne promettra rien que l'entreprise ne tienne.",
                "Dites-lui de s'appuyer uniquement sur la FAQ et de ne jamais inventer un prix, un délai ou une "
                "garantie.",
            ),
            criterion(
                "Prévoit le cas où la réponse n'est pas dans la FAQ",
                Check.CONTAINS_ANY,
                [
                    "ne sait pas",
                    "ne sais pas",
                    "ne savez pas",
                    "ne connais pas",
                    "ne connait pas",
                    "conseiller",
                    "transmet*",
                    "humain",
                    "redirig*",
                    "orient*",
                    "contacter",
                    "service client",
                ],
                "Vous prévoyez la sortie : quand il ne sait pas, l'assistant passe la main au lieu d'inventer.",
                "Prévoyez le cas où la réponse n'est pas dans la FAQ : l'assistant le dit et propose de "
                "transmettre à un conseiller.",
            ),
            criterion(
                "Fixe le ton et la longueur des réponses",
                Check.HAS_FORMAT,
                ["vouvoiement", "vouvoyez", "courtes"],
                "Vous fixez le ton et la longueur : les réponses seront homogènes, quel que soit le client.",
                "Précisez le ton et la longueur, par exemple « vouvoiement, ton cordial, 100 mots au "
                "maximum ».",
            ),
            criterion(
                "Montre un exemple de question et de réponse",
                Check.HAS_EXAMPLE,
                [],
                "Votre exemple de question-réponse montre à l'assistant exactement ce que vous attendez.",
                "Ajoutez un exemple : « Exemple : à la question « … », répondez « … » ». C'est le moyen le plus "
                "sûr de fixer le ton.",
            ),
        ],
    },
    "quiz": [
        multiple(
            "Qu'apporte une offre professionnelle par rapport aux comptes personnels gratuits ?",
            [
                ("L'administration centralisée des comptes", True),
                ("Un contrat de traitement des données adapté à l'entreprise", True),
                ("Pas d'entraînement des modèles sur vos données par défaut", True),
                ("La garantie que les réponses sont toujours exactes", False),
            ],
            "Administration, contrat et absence d'entraînement sont les trois apports des offres "
            "professionnelles. Aucune offre ne garantit l'exactitude des réponses : la relecture reste de mise.",
        ),
        single(
            "Vos automatisations ne doivent pas faire transiter les données par un service tiers. Quel outil "
            "est le plus adapté ?",
            [
                ("n8n, installé sur vos propres serveurs", True),
                ("Zapier", False),
                ("Un compte ChatGPT gratuit", False),
            ],
            "n8n peut s'installer chez vous. Attention toutefois : si le scénario appelle un service d'IA "
            "externe, les données envoyées à cette étape sortent quand même.",
        ),
        single(
            "Un collègue propose Microsoft 365 Copilot. Que faut-il vérifier en priorité ?",
            [
                (
                    "Que les droits d'accès aux dossiers et e-mails sont propres, car Copilot retrouve tout ce que "
                    "l'utilisateur peut lire.",
                    True,
                ),
                ("Que les collègues savent programmer.", False),
                ("Que l'entreprise a un site web.", False),
            ],
            "Un assistant intégré respecte les droits existants : si un dossier sensible est ouvert à tous, "
            "tout le monde pourra le retrouver en posant une question.",
        ),
        multiple(
            "Que doivent contenir les instructions d'un assistant qui répond aux clients ?",
            [
                ("Les sources sur lesquelles il doit s'appuyer", True),
                ("Ce qu'il fait quand la réponse n'est pas dans les documents", True),
                ("Le ton et la longueur des réponses", True),
                ("Les salaires de l'équipe, pour qu'il connaisse bien l'entreprise", False),
            ],
            "Sources, conduite à tenir quand il ne sait pas, ton et format : c'est la structure d'instructions "
            "qui fonctionne. Des données internes sensibles n'ont rien à y faire.",
        ),
        single(
            "Dans le choix d'un outil, à quoi correspond le DPA ?",
            [
                (
                    "Au contrat de traitement des données exigé par l'article 28 du RGPD entre l'entreprise et son "
                    "sous-traitant",
                    True,
                ),
                ("À un label de qualité délivré par la CNIL", False),
                ("À un indicateur de performance des modèles", False),
            ],
            "Le DPA (accord de traitement des données) fixe ce que l'éditeur, sous-traitant au sens du RGPD, a "
            "le droit de faire des données que vous lui confiez.",
        ),
    ],
}

PME_M3 = {
    "title": "Cadre et RGPD",
    "summary": (
        "Une charte d'utilisation claire, un classement des données par outil, les contrats à exiger et ce que "
        "l'AI Act change pour une PME."
    ),
    "lessons": [
        _lesson(
            "Une charte d'utilisation en une page",
            20,
            """
            ## Pourquoi une charte ?

            Dans la plupart des entreprises, des salariés utilisent déjà l'IA, souvent avec leur compte
            personnel. Interdire ne marche pas ; laisser faire expose vos données. Une charte dit simplement ce
            qui est permis, avec quels outils, et ce qui ne l'est pas. Elle protège l'entreprise, et elle
            rassure les salariés qui n'osent pas se lancer de peur de mal faire.

            ## Ce qu'elle contient

            1. **Les outils autorisés** : par exemple « Le Chat, avec votre compte professionnel ; aucun compte
               personnel pour le travail ».
            2. **Les données permises et interdites** : un classement simple (voir la leçon suivante).
            3. **Les usages encouragés** : premiers jets, reformulation, résumés de documents internes non
               confidentiels, traduction.
            4. **Les usages interdits ou soumis à accord** : décisions sur des personnes (recrutement,
               évaluation), contenus publiés au nom de l'entreprise sans relecture, données clients dans un
               outil non validé.
            5. **La règle de relecture** : tout contenu produit avec l'IA est relu par la personne qui l'utilise,
               et qui en reste responsable.
            6. **La transparence** : quand signaler l'usage de l'IA, par exemple pour un assistant qui répond
               aux clients.
            7. **Le référent** : à qui poser une question ou signaler un incident.

            ## Une page, pas un règlement

            Une charte de dix pages ne sera pas lue. Visez une page, avec des exemples tirés de vos métiers. Si
            vous voulez la rendre opposable en l'annexant au règlement intérieur, faites-vous conseiller :
            cela suppose une procédure, dont la consultation du CSE lorsqu'il existe.

            ## Préparer le premier jet avec l'IA

            ```
            Vous êtes juriste en droit du numérique et vous accompagnez une PME
            de 40 salariés (bureau d'études en bâtiment). Rédigez le premier jet
            d'une charte d'utilisation de l'IA générative tenant sur une page :
            outils autorisés, données interdites, usages encouragés, règle de
            relecture, référent. Ton clair et concret, un exemple par rubrique.
            Signalez entre crochets les points à faire valider par un avocat.
            ```

            Relisez, adaptez à vos outils réels, et faites valider les points sensibles.

            ## La faire vivre

            Présentez la charte en réunion plutôt que par e-mail, répondez aux questions, et révisez-la tous les
            six mois : les outils changent vite, les usages aussi.

            > **À retenir :** une charte d'une page dit quels outils, quelles données, quels usages, qui relit
            > et qui contacter. Présentez-la de vive voix et révisez-la régulièrement.
            """,
        ),
        _lesson(
            "Quelles données dans quel outil",
            20,
            """
            ## Classer avant d'autoriser

            Un classement en quatre niveaux suffit à la plupart des PME :

            | Niveau | Exemples | Où l'utiliser |
            |---|---|---|
            | Public | Site web, catalogue, offres d'emploi publiées | Tout outil |
            | Interne | Procédures, modèles de documents, comptes rendus courants | Outils professionnels validés |
            | Confidentiel | Données clients, contrats, prix d'achat, chiffres financiers | Outil validé avec DPA, après accord |
            | Sensible | Santé, dossiers RH individuels, données bancaires | Aucun assistant généraliste |

            Plus la donnée est sensible, moins il y a d'outils autorisés.

            ## Le RGPD en quatre idées utiles

            - **Donnée personnelle** : toute information sur une personne identifiable, y compris une adresse
              e-mail professionnelle ou un nom dans un compte rendu.
            - **Minimisation** : n'envoyez à l'outil que ce qui est nécessaire. Anonymiser ne coûte souvent
              rien : « le client » plutôt que son nom.
            - **Sous-traitance** : l'éditeur qui traite des données personnelles pour votre compte est votre
              sous-traitant. L'article 28 du RGPD impose un contrat, le DPA, qui fixe ce qu'il a le droit de
              faire.
            - **Transferts hors UE** : si les données quittent l'Union, il faut un cadre, par exemple
              l'adhésion de l'éditeur américain au Data Privacy Framework, ou des clauses contractuelles types.

            Inscrivez aussi les traitements qui utilisent l'IA dans votre registre des traitements, et informez
            les personnes concernées quand leurs données y passent.

            ## Lire un DPA sans être juriste

            Cherchez ces points :

            - les finalités autorisées, et l'absence d'entraînement sur vos données ;
            - la durée de conservation et les conditions de suppression ;
            - la liste des sous-traitants ultérieurs (hébergeur…) et les pays concernés ;
            - les mesures de sécurité : chiffrement, contrôle des accès ;
            - la notification en cas de violation de données.

            ## Un cas concret

            Une commerciale veut résumer les notes d'un rendez-vous client. Dans l'outil professionnel validé,
            couvert par un DPA, c'est possible. Dans son compte ChatGPT personnel, non : même sans le nom du
            client, les notes contiennent des informations commerciales confidentielles. L'assistant peut en
            revanche l'aider à construire un modèle réutilisable :

            > Proposez-moi un modèle de compte rendu de rendez-vous client en six rubriques, avec une question
            > guide par rubrique, pour une entreprise de services informatiques.

            > **À retenir :** classez vos données en quatre niveaux, associez à chaque niveau les outils
            > autorisés, exigez un DPA et vérifiez les transferts hors UE avant d'y faire passer des données
            > personnelles.
            """,
        ),
        _lesson(
            "L'AI Act : ce qui vous concerne vraiment",
            20,
            """
            ## Un règlement européen, applicable par étapes

            Le règlement européen sur l'intelligence artificielle (AI Act) est entré en vigueur le 1er août
            2024. Ses obligations s'appliquent progressivement : les pratiques interdites et l'obligation de
            maîtrise de l'IA depuis le 2 février 2025, les règles sur les modèles d'IA à usage général depuis le
            2 août 2025, la plupart des autres à partir d'août 2026, avec des ajustements de calendrier encore
            discutés au niveau européen. Cette leçon donne des repères ; elle ne remplace pas un conseil
            juridique.

            ## Fournisseur ou déployeur ?

            Le texte distingue le **fournisseur**, qui développe un système d'IA et le met sur le marché
            (OpenAI, Mistral AI, Microsoft…), et le **déployeur**, qui l'utilise dans son activité
            professionnelle. Une PME qui utilise ChatGPT ou Copilot est déployeur. Ses obligations sont bien plus
            légères que celles des fournisseurs.

            ## Quatre niveaux de risque

            - **Risque inacceptable** : pratiques interdites, comme la notation sociale ou la reconnaissance des
              émotions sur le lieu de travail (sauf raisons médicales ou de sécurité).
            - **Haut risque** : notamment les systèmes utilisés pour le recrutement et la gestion du personnel,
              l'accès au crédit ou l'éducation. Le déployeur doit alors respecter des obligations précises :
              surveillance humaine, utilisation conforme à la notice, information des personnes concernées.
            - **Risque limité** : des obligations de transparence, par exemple signaler à un client qu'il échange
              avec un chatbot, ou indiquer qu'une image ou une vidéo imitant une personne réelle a été générée.
            - **Risque minimal** : la plupart des usages courants (rédaction, résumé, traduction), sans
              obligation spécifique.

            ## Ce que cela donne pour une PME

            - **Former les équipes** : l'article 4 demande aux déployeurs de prendre des mesures pour assurer un
              niveau suffisant de maîtrise de l'IA à leur personnel. Une formation et une charte en sont la base.
            - **Éviter les usages à haut risque sans préparation** : trier des CV avec l'IA, par exemple, relève
              du haut risque. Mieux vaut l'écarter des premiers projets.
            - **Être transparent** : un assistant qui répond aux clients se présente comme une IA.
            - **Garder une trace** : quels outils, pour quels usages, sous la responsabilité de qui.

            ## L'assistant peut aider, avec prudence

            > Voici la liste de nos usages de l'IA (tableau ci-dessous). Pour chacun, indiquez le niveau de
            > risque probable au sens de l'AI Act et la raison en une phrase. Signalez explicitement les cas où
            > vous n'êtes pas sûr et où un avis juridique est nécessaire.

            Sa réponse est un point de départ pour la discussion avec votre conseil, pas une analyse juridique.

            > **À retenir :** une PME utilisatrice est « déployeur ». Ses obligations principales : former ses
            > équipes, être transparente avec les personnes, et ne pas s'aventurer dans les usages à haut risque
            > (recrutement, crédit) sans préparation.
            """,
        ),
    ],
    "quiz": [
        multiple(
            "Que doit contenir une charte d'utilisation de l'IA ?",
            [
                ("Les outils autorisés", True),
                ("Les données interdites", True),
                ("La règle de relecture des contenus produits", True),
                ("Les mots de passe des comptes partagés", False),
            ],
            "Outils, données, usages, relecture et référent : une charte tient sur une page. Des mots de passe "
            "n'ont rien à faire dans un document diffusé à toute l'équipe.",
        ),
        single(
            "Une commerciale veut résumer les notes d'un rendez-vous client. Dans quel cas est-ce acceptable ?",
            [
                ("Dans l'outil professionnel validé par l'entreprise, couvert par un DPA", True),
                ("Dans son compte ChatGPT personnel, si elle retire le nom du client", False),
                ("Dans n'importe quel outil, puisque ce sont ses propres notes", False),
            ],
            "Même sans nom, les notes contiennent des informations commerciales confidentielles : elles ne "
            "vont que dans un outil validé, encadré par un contrat.",
        ),
        single(
            "Au sens de l'AI Act, une PME qui utilise Microsoft 365 Copilot est…",
            [
                ("un déployeur", True),
                ("un fournisseur", False),
                ("hors du champ du règlement", False),
            ],
            "Le fournisseur développe et met le système sur le marché (ici Microsoft) ; l'entreprise qui "
            "l'utilise dans son activité est déployeur, avec des obligations plus légères.",
        ),
        single(
            "Lequel de ces usages relève du haut risque selon l'AI Act ?",
            [
                ("Trier automatiquement les candidatures à un poste", True),
                ("Rédiger le premier jet d'une lettre d'information", False),
                ("Traduire une notice technique", False),
            ],
            "Le recrutement et la gestion du personnel figurent parmi les domaines à haut risque. Rédaction et "
            "traduction relèvent du risque minimal.",
        ),
        multiple(
            "Quels points vérifier dans le DPA d'un éditeur ?",
            [
                ("L'absence d'entraînement des modèles sur vos données", True),
                ("La durée de conservation et les conditions de suppression", True),
                ("La liste des sous-traitants ultérieurs et les pays concernés", True),
                ("Le rang de l'éditeur dans les comparatifs de performance", False),
            ],
            "Finalités, conservation, sous-traitants, sécurité et notification des violations : voilà ce que "
            "dit un DPA. La performance des modèles se juge ailleurs, sur vos tâches tests.",
        ),
        single(
            "Depuis quand l'obligation de maîtrise de l'IA (article 4 de l'AI Act) s'applique-t-elle ?",
            [
                ("Depuis le 2 février 2025", True),
                ("Depuis le 25 mai 2018", False),
                ("Elle ne s'appliquera qu'en 2030", False),
            ],
            "Les pratiques interdites et l'obligation de maîtrise de l'IA s'appliquent depuis le 2 février "
            "2025. Le 25 mai 2018 est la date d'application du RGPD.",
        ),
    ],
}

PME_M4 = {
    "title": "Déployer dans l'équipe",
    "summary": (
        "Mener un pilote de six semaines, former vos collègues et mesurer les résultats pour décider de la "
        "suite."
    ),
    "lessons": [
        _lesson(
            "Lancer un pilote de six semaines",
            20,
            """
            ## Pourquoi un pilote ?

            Un pilote répond à une question simple : sur nos tâches, avec nos collègues, l'IA fait-elle gagner
            du temps sans dégrader la qualité ? Six semaines suffisent pour dépasser l'effet de nouveauté et
            obtenir des chiffres.

            ## Le cadrage en une page

            - **Objectif** : par exemple, réduire de 30 % le temps de rédaction des devis.
            - **Périmètre** : les trois cas d'usage retenus au module 1, pas plus.
            - **Participants** : 4 à 8 personnes volontaires, dont au moins un sceptique : ses objections sont
              précieuses.
            - **Outil** : une offre professionnelle validée, avec les comptes créés avant le démarrage.
            - **Règles** : la charte, même provisoire, et le classement des données.
            - **Mesures** : le temps de référence relevé avant, les indicateurs suivis pendant.
            - **Calendrier** : lancement, point hebdomadaire de 30 minutes, bilan en semaine 6.

            ## Le déroulé

            1. **Semaine 0** : une demi-journée de formation de démarrage, sur les vrais cas de l'équipe.
            2. **Semaines 1 et 2** : usage accompagné ; chacun note ses essais, réussis ou non.
            3. **Semaines 3 à 5** : les prompts qui marchent rejoignent une bibliothèque partagée.
            4. **Semaine 6** : bilan chiffré et décision.

            ## Le carnet de bord

            Chaque participant note, pour chaque usage : la tâche, le temps passé, le temps estimé sans IA, la
            qualité du résultat (de 1 à 5) et une remarque. Un tableur partagé suffit. Ces notes sont la
            matière première du bilan.

            ## Préparer l'annonce avec l'assistant

            ```
            Vous êtes chef de projet dans une PME de 25 salariés. Rédigez
            l'e-mail qui annonce à l'équipe commerciale un pilote de six
            semaines sur l'utilisation d'un assistant d'IA pour les devis.
            Expliquez l'objectif, ce que l'on attend des participants
            (30 minutes de point par semaine, un carnet de bord) et ce qui
            ne change pas (la relecture humaine). Ton direct et rassurant,
            200 mots au maximum.
            ```

            ## Ce qui fait échouer un pilote

            - aucun temps dégagé pour les participants ;
            - un outil qui n'est pas prêt le premier jour ;
            - aucune mesure de départ ;
            - un périmètre qui s'étend en cours de route.

            > **À retenir :** un pilote, c'est un objectif chiffré, trois cas d'usage, quelques volontaires dont
            > un sceptique, un carnet de bord et un bilan en semaine 6.
            """,
        ),
        _lesson(
            "Former vos collègues",
            20,
            """
            ## Une obligation et une nécessité

            L'AI Act demande aux entreprises qui utilisent l'IA de veiller à un niveau suffisant de maîtrise de
            l'IA de leur personnel. Au-delà de l'obligation, c'est la condition du succès : un outil mal compris
            est abandonné, ou mal utilisé.

            ## Former par les cas, pas par les fonctions

            Une formation qui fait le tour des boutons s'oublie en une semaine. Partez des tâches de chacun :

            - pour la comptabilité : rapprocher des libellés, rédiger une relance de facture ;
            - pour le commercial : préparer un rendez-vous, rédiger une proposition ;
            - pour l'atelier ou le chantier : dicter un compte rendu et le faire mettre en forme.

            Chaque participant repart avec au moins un usage qu'il applique dès le lendemain.

            ## Le socle commun

            Quel que soit le métier, tout le monde doit connaître :

            1. la méthode du bon prompt : rôle, contexte, tâche, format, contraintes, exemple ;
            2. les limites : erreurs, inventions, biais ;
            3. la charte : outils autorisés, données interdites, relecture obligatoire ;
            4. le référent à qui poser ses questions.

            ## La bibliothèque de prompts

            Rassemblez les prompts qui fonctionnent dans un document partagé, classés par métier, avec pour
            chacun : l'usage, le prompt, un exemple de résultat et le nom de la personne qui l'a proposé. C'est
            l'outil le plus utile après la formation, et il valorise ceux qui le nourrissent. Un exemple
            d'entrée :

            > **Relance de facture, premier rappel.** « Vous êtes assistant comptable. Rédigez un e-mail de
            > premier rappel pour la facture [numéro] de [montant], échue depuis [nombre] jours. Ton courtois,
            > 80 mots au maximum, sans évoquer de pénalités. »

            ## Des référents plutôt qu'un expert

            Identifiez une ou deux personnes motivées par service. Elles n'ont pas besoin d'être techniciennes :
            elles ont un peu d'avance, répondent aux questions simples et font remonter les difficultés. Une
            heure par mois entre référents suffit à faire circuler les bonnes idées.

            ## Accompagner les réticences

            Certains craignent pour leur emploi, d'autres doutent de la qualité. Écoutez, montrez des cas
            concrets, et dites clairement ce que vous attendez : du temps libéré pour des tâches à plus forte
            valeur, pas une surveillance de la productivité de chacun.

            > **À retenir :** formez à partir des tâches réelles de chaque métier, assurez un socle commun
            > (méthode, limites, charte), tenez une bibliothèque de prompts et appuyez-vous sur des référents.
            """,
        ),
        _lesson(
            "Mesurer et décider",
            20,
            """
            ## Trois familles d'indicateurs

            - **Temps** : minutes par tâche avant et après, sur le même type de tâche.
            - **Qualité** : taux de corrections, retours des clients, erreurs repérées à la relecture.
            - **Adoption** : utilisateurs actifs chaque semaine, prompts ajoutés à la bibliothèque.

            Suivre les trois évite les conclusions trompeuses : un gain de temps qui s'accompagne d'erreurs
            envoyées aux clients n'en est pas un.

            ## Le bilan chiffré

            Reprenez le carnet de bord et comparez au temps de référence :

            | Cas d'usage | Avant | Après | Gain | Qualité (sur 5) |
            |---|---|---|---|---|
            | Premier jet de devis | 20 min | 12 min | 40 % | 4,2 |
            | Compte rendu de chantier | 30 min | 15 min | 50 % | 3,8 |
            | Réponses aux clients | 8 min | 6 min | 25 % | 3,5 |

            Écrivez aussi ce que les chiffres ne disent pas : ce que les participants ont apprécié, ce qui les a
            freinés, les incidents.

            ## Faire dépouiller le carnet de bord

            Un assistant peut vous aider à analyser les remarques libres, une fois les noms retirés :

            ```
            Vous êtes analyste. Voici 60 remarques anonymisées de participants
            à un pilote d'assistant d'IA. Regroupez-les en 5 thèmes au plus,
            avec pour chaque thème le nombre de remarques et une citation
            représentative. Présentez le résultat en tableau, sans interpréter
            au-delà de ce qui est écrit.
            ```

            ## Décider

            Trois issues possibles :

            1. **Généraliser** : les gains sont nets et la qualité tient. Étendez par vagues, service par service,
               avec la même formation.
            2. **Ajuster** : les gains existent, mais un cas d'usage décroche. Abandonnez-le ou retravaillez-le,
               et gardez ceux qui fonctionnent.
            3. **Arrêter** : aucun gain mesurable. C'est un résultat utile : vous avez évité une dépense à grande
               échelle.

            ## Continuer à mesurer

            Après la généralisation, gardez deux ou trois indicateurs simples, suivis chaque trimestre. Les
            outils évoluent, les usages aussi : une revue semestrielle de la charte, des outils et de la
            bibliothèque de prompts maintient l'ensemble en bon état.

            > **À retenir :** mesurez le temps, la qualité et l'adoption ; comparez à la situation de départ ;
            > décidez entre généraliser, ajuster ou arrêter, et continuez à suivre quelques indicateurs.
            """,
        ),
    ],
    "quiz": [
        multiple(
            "Qu'est-ce qui caractérise un pilote bien cadré ?",
            [
                ("Un objectif chiffré", True),
                ("Un périmètre limité à quelques cas d'usage", True),
                ("Une mesure du temps de référence avant de commencer", True),
                ("Le plus grand nombre possible de participants dès le départ", False),
            ],
            "Objectif, périmètre et mesure de départ font un pilote exploitable. Quelques volontaires suffisent "
            ": un groupe trop large se suit mal.",
        ),
        single(
            "Pourquoi inclure un sceptique parmi les participants du pilote ?",
            [
                ("Ses objections révèlent les vrais problèmes avant la généralisation.", True),
                ("Pour le convaincre à tout prix.", False),
                ("Parce que l'AI Act l'impose.", False),
            ],
            "Un sceptique repère ce que les enthousiastes ne voient pas. Mieux vaut l'entendre pendant le "
            "pilote qu'après le déploiement.",
        ),
        single(
            "Quelle approche de formation donne les meilleurs résultats ?",
            [
                ("Partir des tâches réelles de chaque métier", True),
                ("Présenter toutes les fonctions de l'outil, bouton par bouton", False),
                ("Envoyer à chacun le lien d'une vidéo générale", False),
            ],
            "Une formation ancrée dans les tâches de chacun se traduit par des usages dès le lendemain ; un "
            "tour des fonctions s'oublie en une semaine.",
        ),
        multiple(
            "Quels indicateurs suivre pour évaluer un pilote ?",
            [
                ("Le temps passé par tâche, avant et après", True),
                ("Le taux de corrections à la relecture", True),
                ("Le nombre d'utilisateurs actifs chaque semaine", True),
                ("Le nombre de mots produits par l'IA", False),
            ],
            "Temps, qualité et adoption donnent une image fidèle. Un volume de texte produit ne dit rien de son "
            "utilité.",
        ),
        single(
            "Le temps de rédaction d'un devis passe de 20 à 12 minutes. Quel est le gain ?",
            [
                ("40 %", True),
                ("8 %", False),
                ("60 %", False),
            ],
            "Le gain est de 8 minutes sur 20, soit 8 ÷ 20 = 40 %.",
        ),
        single(
            "Le pilote ne montre aucun gain mesurable. Que conclure ?",
            [
                (
                    "C'est un résultat utile : on arrête ou on revoit les cas d'usage, sans avoir dépensé à grande "
                    "échelle.",
                    True,
                ),
                ("Il faut généraliser quand même : les gains viendront.", False),
                ("Il faut changer d'indicateurs jusqu'à obtenir un gain.", False),
            ],
            "Un pilote sert à décider. Un résultat négatif évite une dépense inutile ; changer les indicateurs "
            "après coup fausserait la décision.",
        ),
    ],
}

IA_DANS_VOTRE_PME = {
    "slug": "ia-dans-votre-pme",
    "title": "L'IA dans votre PME",
    "summary": (
        "10,5 heures pour les dirigeants et les équipes de PME : repérer où l'IA fait gagner du temps, choisir "
        "les bons outils, poser un cadre conforme au RGPD et déployer dans l'équipe."
    ),
    "description": _md(
        """
        Vos collaborateurs utilisent probablement déjà ChatGPT, parfois avec leur compte personnel, sans règle
        commune. Vous sentez qu'il y a du temps à gagner, mais vous ne savez pas par où commencer, ni quels
        risques vous prenez. Cette formation vous donne une méthode pour passer des essais isolés à un usage
        organisé, mesuré et encadré.

        ## Pour qui ?

        Dirigeants de TPE et de PME, responsables administratifs, RH, commerciaux ou qualité, et toute personne
        chargée de « mettre l'IA en place » dans une entreprise de 5 à 250 salariés. Une pratique de base de
        ChatGPT ou d'un outil équivalent est recommandée : notre formation « ChatGPT au quotidien » y prépare.

        ## Le programme

        1. **Où l'IA fait gagner du temps** : cartographier vos tâches répétitives et estimer honnêtement les
           heures gagnées.
        2. **Outils et choix** : assistants professionnels, outils d'automatisation, et une grille pour décider.
        3. **Cadre et RGPD** : charte d'utilisation, classement des données, contrats avec les éditeurs,
           premières obligations de l'AI Act.
        4. **Déployer dans l'équipe** : pilote, formation des collègues, mesure des résultats.

        Chaque module se termine par un quiz ; deux exercices pratiques vous font écrire des prompts
        directement utiles à votre entreprise. Un certificat de 10,5 heures est délivré à la fin.

        ## Format

        À distance et à votre rythme, ou en intra-entreprise avec un formateur, sur site ou en visioconférence,
        avec des exemples tirés de vos métiers. Prenez rendez-vous pour un échange découverte de 45 minutes :
        nous construisons le programme avec vous.
        """
    ),
    "audience": Audience.BUSINESS,
    "level": TrainingLevel.INTERMEDIATE,
    "duration_hours": Decimal("10.5"),
    "outcomes": [
        "Cartographier les tâches répétitives de votre entreprise et estimer les heures gagnées",
        "Choisir trois premiers cas d'usage selon leur gain, leur effort et leur risque",
        "Comparer les offres professionnelles (ChatGPT, Le Chat, Copilot) et les outils d'automatisation",
        "Rédiger une charte d'utilisation de l'IA adaptée à votre entreprise",
        "Savoir quelles données peuvent aller dans quel outil, et ce que doit contenir le contrat avec l'éditeur",
        "Situer vos usages dans les niveaux de risque de l'AI Act",
        "Mener un pilote, former vos collègues et mesurer les résultats",
    ],
    "price_text": "Sur devis, à partir de 1 900 € HT pour 5 personnes",
    "order": 20,
    "access_code": "DECOUVERTE-PME",
    "modules": [PME_M1, PME_M2, PME_M3, PME_M4],
}

TRAININGS = [CHATGPT_AU_QUOTIDIEN, IA_DANS_VOTRE_PME]


# =====================================================================================================================
# Loading


def _module_create(*, training: Training, data: dict, order: int, preview_first: bool) -> dict[str, int]:
    module = Module.objects.create(
        training=training,
        title=_typo(data["title"]),
        summary=_typo(data["summary"]),
        order=order,
        is_published=True,
    )
    step = 0
    for index, lesson in enumerate(data["lessons"]):
        step += STEP_GAP
        Lesson.objects.create(
            module=module,
            title=_typo(lesson["title"]),
            slug=slugify(lesson["title"])[:120],
            body=_typo(lesson["body"]),
            minutes=lesson["minutes"],
            order=step,
            is_preview=preview_first and index == 0,
        )
    exercise_data = data.get("exercise")
    if exercise_data:
        step += STEP_GAP
        exercise = PromptExercise.objects.create(
            module=module,
            title=_typo(exercise_data["title"]),
            task=_typo(exercise_data["task"]),
            pass_criteria=exercise_data["pass_criteria"],
            order=step,
        )
        RubricCriterion.objects.bulk_create(
            RubricCriterion(
                exercise=exercise,
                label=_typo(item["label"]),
                rule=item["rule"],
                values="\n".join(item["values"]),
                feedback_ok=_typo(item["feedback_ok"]),
                feedback_missing=_typo(item["feedback_missing"]),
                order=position,
            )
            for position, item in enumerate(exercise_data["criteria"], start=1)
        )
    step += STEP_GAP
    questions = data["quiz"]
    quiz = Quiz.objects.create(
        module=module,
        title=_typo(f"Quiz : {data['title']}"),
        intro=_typo(
            f"{len(questions)} questions sur les points clés du module. Il faut {QUIZ_PASS_MARK} % de bonnes "
            "réponses pour le valider ; l'explication de chaque réponse s'affiche après votre envoi."
        ),
        pass_mark=QUIZ_PASS_MARK,
        order=step,
    )
    for position, item in enumerate(questions, start=1):
        question = QuizQuestion.objects.create(
            quiz=quiz,
            text=_typo(item["text"]),
            kind=item["kind"],
            explanation=_typo(item["explanation"]),
            order=position,
        )
        QuizChoice.objects.bulk_create(
            QuizChoice(question=question, text=_typo(text), is_correct=is_correct, order=choice_position)
            for choice_position, (text, is_correct) in enumerate(item["choices"], start=1)
        )
    return {"lessons": len(data["lessons"]), "quizzes": 1, "exercises": 1 if exercise_data else 0}


def courses_demo_load() -> dict:
    """Create the demo trainings that do not exist yet (matched on slug), published and complete, each with its
    demo access code; a training already there is left as the team edited it. Returns what was created:
    numbers of trainings, modules, lessons, quizzes and exercises, and the list of access codes."""
    created = {"trainings": 0, "modules": 0, "lessons": 0, "quizzes": 0, "exercises": 0, "codes": []}
    with transaction.atomic():
        for data in TRAININGS:
            if Training.objects.filter(slug=data["slug"]).exists():
                continue
            training = Training.objects.create(
                slug=data["slug"],
                title=_typo(data["title"]),
                summary=_typo(data["summary"]),
                description=_typo(data["description"]),
                audience=data["audience"],
                level=data["level"],
                duration_hours=data["duration_hours"],
                outcomes=_typo("\n".join(data["outcomes"])),
                price_text=_typo(data["price_text"]),
                order=data["order"],
                is_published=True,
            )
            created["trainings"] += 1
            for position, module_data in enumerate(data["modules"], start=1):
                counts = _module_create(
                    training=training,
                    data=module_data,
                    order=position * STEP_GAP,
                    preview_first=position == 1,
                )
                created["modules"] += 1
                for key, value in counts.items():
                    created[key] += value
            code = data["access_code"].upper()
            if not AccessCode.objects.filter(code=code).exists():
                AccessCode.objects.create(
                    training=training,
                    code=code,
                    max_uses=DEMO_CODE_USES,
                    note="Code de démonstration, créé par `frenchbot demo`.",
                )
                created["codes"].append(code)
    return created
