from weconomics.identity import privacy
from weconomics.notifications.kinds import render
from weconomics.notifications.models import Notification, NotificationSettings


def export_notifications(account):
    return [
        {"text": render(n.kind, n.params), "kind": n.kind, "url": n.url,
         "created_at": n.created_at.isoformat(),
         "read_at": n.read_at.isoformat() if n.read_at else None}
        for n in Notification.objects.filter(recipient=account)
    ]


def export_settings(account):
    found = NotificationSettings.objects.filter(account=account).first()
    if found is None:
        return None
    return {"digest": found.digest, "muted_kinds": found.muted_kinds}


def erase_as_actor(account):
    # Notifications this account caused stay with their recipients, without the name.
    for notification in Notification.objects.filter(actor=account).exclude(recipient=account):
        params = dict(notification.params)
        if "actor" in params:
            params["actor"] = ""
            notification.params = params
            notification.save(update_fields=["params"])


privacy.register("notifications", export=export_notifications, erase=erase_as_actor,
                 models=[Notification])
privacy.register("notification_settings", export=export_settings,
                 models=[NotificationSettings])
