from django.urls import path

from weconomics.web import conversation_views as views

urlpatterns = [
    path("messages/", views.conversations_list, name="conversations"),
    path("messages/new/", views.start_direct, name="conversation_start"),
    path("messages/new-group/", views.start_group, name="conversation_start_group"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
    path("messages/<int:conversation_id>/send/", views.send_message, name="message_send"),
    path("messages/<int:conversation_id>/people/", views.add_people,
         name="conversation_add_people"),
    path("messages/<int:conversation_id>/leave/", views.leave, name="conversation_leave"),
    path("messages/<int:conversation_id>/report/<int:message_id>/", views.report_message,
         name="message_report"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
]
