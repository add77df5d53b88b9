from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("", views.request_link, name="request"),
    path("acces/<str:token>/", views.overview, name="access"),
    path("acces/<str:token>/archive/", views.archive, name="access_archive"),
    path("acces/<str:token>/corriger/", views.rectify, name="access_rectify"),
    path("acces/<str:token>/consentements/", views.withdraw, name="access_withdraw"),
    path("acces/<str:token>/effacer/", views.erase, name="access_erase"),
    path("mes-donnees/", views.overview, name="mine"),
    path("mes-donnees/archive/", views.archive, name="mine_archive"),
    path("mes-donnees/corriger/", views.rectify, name="mine_rectify"),
    path("mes-donnees/consentements/", views.withdraw, name="mine_withdraw"),
    path("mes-donnees/effacer/", views.erase, name="mine_erase"),
]
