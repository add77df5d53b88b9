"""The one JSON API of the site; each app adds its own router here."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="The French Bot API",
    version="1.0.0",
    description="API JSON de The French Bot. Les erreurs répondent en JSON avec un message en français.",
    urls_namespace="api",
)
