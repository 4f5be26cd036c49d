from django.urls import path

from weconomics.web import channel_views as views

urlpatterns = [
    path("c/<slug:slug>/", views.home, name="community"),
]
