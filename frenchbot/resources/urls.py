from django.urls import path

from .views import glossary, guides, prompts

app_name = "resources"

urlpatterns = [
    path("", guides.resources_index, name="index"),
    path("guides/<slug:slug>/", guides.guide_detail, name="guide"),
    path("guides/<slug:slug>/pdf/", guides.guide_pdf, name="guide_pdf"),
    path("guides/<slug:slug>/fichier/", guides.guide_file, name="guide_file"),
    path("guides/<slug:slug>/recevoir/", guides.guide_request, name="guide_request"),
    path("telechargement/<str:token>/", guides.guide_download, name="guide_download"),
    path("prompts/", prompts.prompt_list, name="prompts"),
    path("prompts/favoris/", prompts.prompt_favourites, name="prompt_favourites"),
    path("prompts/<slug:slug>/", prompts.prompt_detail, name="prompt"),
    path("prompts/<slug:slug>/favori/", prompts.prompt_favourite_toggle, name="prompt_favourite"),
    path("glossaire/", glossary.glossary_index, name="glossary"),
    path("glossaire/<slug:slug>/", glossary.term_detail, name="term"),
]
