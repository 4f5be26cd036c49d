from django.conf import settings


def site(request):
    context = {"site_name": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Two COUNT queries for the badges in the navigation of every page.
        from weconomics.conversations.queries import unread_total
        from weconomics.notifications.models import Notification

        context["unread_messages"] = unread_total(user)
        context["unread_notifications"] = Notification.objects.filter(
            recipient=user, read_at__isnull=True).count()
    return context
