from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "weconomics.communities"
    verbose_name = _("Communities")

    def ready(self):
        from weconomics.communities import privacy_sources  # noqa: F401
