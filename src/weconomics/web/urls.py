from django.urls import include, path

from weconomics.web import channel_signin, views

urlpatterns = [
    path("", include("weconomics.web.urls_people")),
    path("", include("weconomics.web.urls_organisations")),
    path("", include("weconomics.web.urls_conversations")),
    path("", include("weconomics.web.urls_bookings")),
    path("", views.home, name="home"),
    # Community pages (listing, starting, invitations, managing) come before the channel's
    # own pages, so /c/invitations/... is never taken for a community's short name.
    path("channel-auth/login", channel_signin.login, name="channel_signin"),
    path("channel-auth/callback", channel_signin.callback, name="channel_signin_callback"),
    path("", include("weconomics.web.urls_communities")),
    path("", include("weconomics.web.urls_channel")),
    path("", include("weconomics.web.urls_articles")),
    path("", include("weconomics.web.urls_products")),
    path("settings/", views.account_settings, name="settings"),
    path("settings/sessions/", views.sessions, name="sessions"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("settings/data/", views.privacy, name="privacy"),
    path("settings/data/export/", views.export, name="export"),
    path("settings/data/delete/", views.delete_account, name="delete_account"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<str:message_id>/", views.outbox_message, name="outbox_message"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
]
