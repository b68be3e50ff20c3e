from django.urls import path

from content import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dossiers/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
    path("search/", views.search, name="search"),
]
