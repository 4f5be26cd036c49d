from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "weconomics.identity"
    verbose_name = _("Identity")

    def ready(self):
        from weconomics.identity import checks, privacy_sources, receivers  # noqa: F401
