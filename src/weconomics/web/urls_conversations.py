from django.urls import path

from weconomics.web import conversation_views as views

urlpatterns = [
    path("messages/", views.conversations, name="conversations"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("notifications/", views.notifications, name="notifications"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
]
