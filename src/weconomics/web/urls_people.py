from django.urls import path

from weconomics.web import people_views as views

urlpatterns = [
    path("people/", views.directory, name="people"),
    path("people/<slug:handle>/", views.person, name="person"),
    path("people/<slug:handle>/photo", views.person_photo, name="person_photo"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("network/", views.network, name="network"),
    path("network/recommendations/", views.recommendations, name="recommendations"),
]
