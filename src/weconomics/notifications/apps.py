from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "weconomics.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from weconomics.notifications import privacy_sources  # noqa: F401
