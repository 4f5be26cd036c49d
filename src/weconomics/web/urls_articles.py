from django.urls import path

from weconomics.web import article_views as views

urlpatterns = [
    path("articles/", views.articles, name="articles"),
    path("articles/new/", views.article_new, name="article_new"),
    path("articles/<int:article_id>/", views.article, name="article"),
    path("articles/<int:article_id>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:article_id>/publish/", views.article_publish, name="article_publish"),
    path("articles/<int:article_id>/delete/", views.article_delete, name="article_delete"),
    path("articles/<int:article_id>/publications/<int:publication_id>/unpublish/",
         views.article_unpublish, name="article_unpublish"),
    path("articles/<int:article_id>/publications/<int:publication_id>/allies/",
         views.article_allies, name="article_allies"),
]
