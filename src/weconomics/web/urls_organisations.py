from django.urls import path

from weconomics.web import organisation_views as views

urlpatterns = [
    path("organisations/", views.directory, name="organisations"),
    path("organisations/new/", views.create, name="organisation_new"),
    path("organisations/invitations/<str:token>/", views.invitation,
         name="organisation_invitation"),
    path("organisations/<slug:slug>/", views.organisation, name="organisation"),
]
