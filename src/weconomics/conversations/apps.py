from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "weconomics.conversations"
    verbose_name = _("Conversations")

    def ready(self):
        from weconomics.conversations import privacy_sources  # noqa: F401
