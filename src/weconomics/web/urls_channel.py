"""A community's channel under /c/<slug>/; `urls_channel_host` serves the same pages at the
root of the community's own host name (named there with a "channel_host_" prefix)."""

from django.urls import include, path

from weconomics.web import channel_views as views
from weconomics.web import wiki_views as wiki

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
    ("wiki/", wiki.index, "community_wiki"),
    ("wiki/Special:NewPage", wiki.new_page, "community_wiki_new"),
    ("wiki/Special:RecentChanges", wiki.recent, "community_wiki_recent"),
    ("wiki/Special:Settings", wiki.settings_view, "community_wiki_settings"),
    ("wiki/<str:title>", wiki.page_view, "community_wiki_page"),
    ("wiki/<str:title>/edit/", wiki.edit, "community_wiki_edit"),
    ("wiki/<str:title>/history/", wiki.history, "community_wiki_history"),
    ("wiki/<str:title>/diff/", wiki.diff, "community_wiki_diff"),
    ("wiki/<str:title>/protect/", wiki.protect, "community_wiki_protect"),
    ("wiki/<str:title>/watch/", wiki.watch, "community_wiki_watch"),
    ("wiki/<str:title>/talk/", wiki.talk, "community_wiki_talk"),
    ("wiki/<str:title>/revisions/<int:revision_id>/", wiki.revision_view,
     "community_wiki_revision"),
    ("wiki/<str:title>/revisions/<int:revision_id>/revert/", wiki.revert,
     "community_wiki_revert"),
    ("wiki/<str:title>/revisions/<int:revision_id>/hide/", wiki.hide, "community_wiki_hide"),
    ("manage/publications/", views.publications, "community_publications"),
    ("manage/publications/<int:publication_id>/", views.curate, "community_curate"),
]


def channel_pages(prefix: str = ""):
    return [path(route, view, name=prefix + name) for route, view, name in CHANNEL_PAGES]


urlpatterns = [
    path("c/<slug:slug>/", include(channel_pages())),
]
