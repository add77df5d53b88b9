from django.urls import path

from . import feeds, views

app_name = "blog"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("categorie/<slug:slug>/", views.category_detail, name="category"),
    path("categorie/<slug:slug>/rss/", feeds.CategoryFeed(), name="category_feed_rss"),
    path("categorie/<slug:slug>/atom/", feeds.CategoryAtomFeed(), name="category_feed_atom"),
    path("etiquette/<slug:slug>/", views.tag_detail, name="tag"),
    path("auteurs/<slug:slug>/", views.author_detail, name="author"),
    path("<slug:slug>/", views.article_detail, name="detail"),
    path("<slug:slug>/commenter/", views.comment_create, name="comment"),
    path("<slug:slug>/sondage/", views.poll_results, name="poll_results"),
    path("<slug:slug>/sondage/voter/", views.poll_vote, name="poll_vote"),
]
