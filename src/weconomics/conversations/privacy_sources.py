"""What conversations keep about an account, for the export and for deletion.

The export holds the account's conversations (titles and who took part) and the
messages it sent. Deletion keeps the messages for the other participants, shown as
from a "deleted user", and keeps the account's places without the account.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from weconomics.conversations.models import Conversation, Message, Participant
from weconomics.conversations.queries import name_of
from weconomics.identity import privacy


def _iso(value):
    return value.isoformat() if value else None


def export_conversations(account):
    mine = list(Participant.objects.filter(account=account).select_related("conversation")
                .order_by("conversation_id"))
    others = {}
    for p in (Participant.objects.filter(conversation_id__in=[m.conversation_id for m in mine])
              .exclude(account=account).select_related("account__person")):
        others.setdefault(p.conversation_id, []).append(name_of(p.account))
    return [
        {"id": m.conversation_id, "kind": m.conversation.kind, "title": m.conversation.title,
         "participants": others.get(m.conversation_id, []), "joined_at": _iso(m.joined_at),
         "left_at": _iso(m.left_at), "last_read_at": _iso(m.last_read_at)}
        for m in mine
    ]


def export_messages_sent(account):
    return [
        {"conversation": m.conversation_id, "text": m.body, "sent_at": _iso(m.created_at)}
        for m in Message.objects.filter(sender=account, kind=Message.Kind.TEXT).order_by("id")
    ]


def erase(account):
    now = timezone.now()
    places = Participant.objects.filter(account=account)
    conversation_ids = list(places.values_list("conversation_id", flat=True))
    # The direct conversations of this account could never be reused by its pair.
    Conversation.objects.filter(pk__in=conversation_ids).update(pair_key=None)
    places.filter(left_at__isnull=True).update(left_at=now)
    places.update(account=None)
    # A conversation nobody is left to read goes; messages go with it.
    Conversation.objects.filter(pk__in=conversation_ids).exclude(
        Exists(Participant.objects.filter(conversation=OuterRef("pk"),
                                          account__isnull=False)
               .exclude(account=account))).delete()


privacy.register("conversations", export=export_conversations, erase=erase,
                 models=[Conversation, Participant])
privacy.register("messages_sent", export=export_messages_sent, models=[Message])
