"""A community's channel under /c/<slug>/; `urls_channel_host` serves the same pages at the
root of the community's own host name (named there with a "channel_host_" prefix)."""

from django.urls import include, path

from weconomics.web import channel_views as views

# (route inside the channel, view, name)
CHANNEL_PAGES = [
    ("", views.home, "community"),
    ("logo", views.logo, "community_logo"),
    ("theme.css", views.theme, "community_theme"),
    ("d/<slug:domain>/", views.domain_page, "community_domain"),
    ("members/", views.members, "community_members"),
    ("board/", views.board, "community_board"),
    ("board/new/", views.topic_new, "community_topic_new"),
    ("board/<int:topic_id>/", views.topic, "community_topic"),
    ("board/<int:topic_id>/reply/", views.reply, "community_reply"),
    ("board/<int:topic_id>/edit/", views.topic_edit, "community_topic_edit"),
    ("board/<int:topic_id>/delete/", views.topic_delete, "community_topic_delete"),
    ("board/<int:topic_id>/moderate/", views.topic_moderate, "community_topic_moderate"),
    ("board/<int:topic_id>/replies/<int:reply_id>/edit/", views.reply_edit,
     "community_reply_edit"),
    ("board/<int:topic_id>/replies/<int:reply_id>/delete/", views.reply_delete,
     "community_reply_delete"),
    ("board/<int:topic_id>/replies/<int:reply_id>/moderate/", views.reply_moderate,
     "community_reply_moderate"),
    ("manage/publications/", views.publications, "community_publications"),
    ("manage/publications/<int:publication_id>/", views.curate, "community_curate"),
]


def channel_pages(prefix: str = ""):
    return [path(route, view, name=prefix + name) for route, view, name in CHANNEL_PAGES]


urlpatterns = [
    path("c/<slug:slug>/", include(channel_pages())),
]
