"""What the wiki keeps about an account: the revisions it wrote.

The export holds each revision's page, community, time, summary and text. Deletion keeps
the pages whole: the revisions stay, attributed to a deleted user (their author emptied).
"""

from weconomics.identity import privacy
from weconomics.wiki.models import Revision, Watch


def export_revisions(account):
    return [
        {"community": r.page.community.slug, "page": r.page.title, "revision": r.pk,
         "saved_at": r.created_at.isoformat(), "summary": r.summary, "minor": r.minor,
         "text": r.text}
        for r in Revision.objects.filter(author=account).select_related("page__community")
        .order_by("pk")
    ]


def erase_revisions(account):
    Revision.objects.filter(author=account).update(author=None)
    Revision.objects.filter(hidden_by=account).update(hidden_by=None)


def export_watchlist(account):
    return [{"community": w.page.community.slug, "page": w.page.title,
             "since": w.created_at.isoformat()}
            for w in Watch.objects.filter(account=account).select_related("page__community")]


# Watches go with the account (a cascading key).
privacy.register("wiki_watchlist", export=export_watchlist, models=[Watch])
privacy.register("wiki_revisions", export=export_revisions, erase=erase_revisions,
                 models=[Revision])
