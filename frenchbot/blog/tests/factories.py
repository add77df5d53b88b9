import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from frenchbot.blog.models import Article, Category, Comment, Poll, PollOption, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"auteur{n}")
    first_name = "Claire"
    last_name = "Martin"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.fr")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Catégorie {n}")
    slug = factory.Sequence(lambda n: f"categorie-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Étiquette {n}")
    slug = factory.Sequence(lambda n: f"etiquette-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bien utiliser ChatGPT, épisode {n}")
    slug = factory.Sequence(lambda n: f"bien-utiliser-chatgpt-{n}")
    excerpt = "Trois habitudes simples pour de meilleures réponses."
    body = "## Le rôle\n\nDonnez un rôle à l'assistant.\n\n## Le contexte\n\nExpliquez la situation."
    category = factory.SubFactory(CategoryFactory)
    author = factory.SubFactory(UserFactory)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    name = "Jeanne Dupont"
    email = factory.Sequence(lambda n: f"lectrice{n}@example.fr")
    body = "Merci pour cet article très clair."
    status = Comment.Status.APPROVED


class PollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory)
    question = "Coup de génie ou coup de poker ?"

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if not create:
            return
        for position, label in enumerate(
            extracted or ["Coup de génie", "Coup de poker", "Ni l'un ni l'autre"]
        ):
            PollOption.objects.create(poll=self, label=label, position=position)
