"""Demo conversations (idempotent): Anna and Bram, and a group of Anna, Bram and Eva."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from weconomics.conversations.models import Conversation, Message, Participant
from weconomics.conversations.queries import pair_key
from weconomics.notifications.services import notify

DIRECT = [
    ("bram", 26 * 60, "Hoi Anna, heb je nog plek voor een teamcoachingstraject in januari?"),
    ("anna", 25 * 60, "Hoi Bram! Ja, de tweede helft van januari kan. Om welk team gaat het?"),
    ("bram", 24 * 60, "Een zorgteam van acht mensen in Utrecht. Ik stuur je de details."),
    ("anna", 90, "Fijn, dan plan ik een kennismaking. Past dinsdag om 10 uur?"),
    ("bram", 20, "Dinsdag 10 uur is goed. Tot dan!"),
]
GROUP_TITLE = "Teamdag voorjaar"
GROUP = [
    ("eva", 3 * 24 * 60, "Zullen we in april een teamdag organiseren voor de coöperatie?"),
    ("anna", 3 * 24 * 60 - 30, "Goed idee! Ik kan een workshop over feedback geven."),
    ("bram", 2 * 24 * 60, "Ik regel een locatie in Utrecht. Wie weet een goede lunchplek?"),
    ("eva", 45, "Ik ken een leuk café bij het station. Ik vraag wat het kost."),
]


def _person_key(email: str) -> str:
    return email.split("@")[0]


def _messages(conversation, accounts, lines, now):
    for who, minutes_ago, body in lines:
        Message.objects.create(conversation=conversation, sender=accounts[who], body=body,
                               created_at=now - dt.timedelta(minutes=minutes_ago))
    last = conversation.messages.order_by("-created_at").first()
    conversation.last_message_at = last.created_at
    conversation.save(update_fields=["last_message_at"])
    return last


@transaction.atomic
def populate(accounts) -> list[Conversation]:
    """Create the demo conversations once; a second run leaves them as they are."""
    people = {_person_key(email): account for email, account in accounts.items()}
    now = timezone.now()
    anna, bram, eva = people["anna"], people["bram"], people["eva"]
    started = now - dt.timedelta(days=4)

    direct, created = Conversation.objects.get_or_create(
        pair_key=pair_key(anna, bram),
        defaults={"kind": Conversation.Kind.DIRECT, "created_by": bram, "created_at": started})
    if created:
        for account in (bram, anna):
            Participant.objects.create(conversation=direct, account=account, added_by=bram,
                                       joined_at=started)
        last = _messages(direct, people, DIRECT, now)
        # Anna has read up to her own question; Bram's answer is new for her.
        Participant.objects.filter(conversation=direct, account=anna).update(
            last_read_at=now - dt.timedelta(minutes=90))
        Participant.objects.filter(conversation=direct, account=bram).update(
            last_read_at=last.created_at)
        notify(anna, "conversations.message", actor=bram,
               url=reverse("conversation", args=[direct.pk]))

    group = Conversation.objects.filter(kind=Conversation.Kind.GROUP, title=GROUP_TITLE,
                                        created_by=eva).first()
    if group is None:
        group = Conversation.objects.create(kind=Conversation.Kind.GROUP, title=GROUP_TITLE,
                                            created_by=eva, created_at=started)
        for account in (eva, anna, bram):
            Participant.objects.create(conversation=group, account=account, added_by=eva,
                                       joined_at=started)
        last = _messages(group, people, GROUP, now)
        Participant.objects.filter(conversation=group, account__in=[anna, bram]).update(
            last_read_at=now - dt.timedelta(days=2, minutes=1))
        Participant.objects.filter(conversation=group, account=eva).update(
            last_read_at=last.created_at)
    return [direct, group]
