from django.urls import path

from weconomics.web import community_views as views

urlpatterns = [
    path("communities/", views.directory, name="communities"),
]
