from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    name = "weconomics.wiki"
    verbose_name = _("Wiki")

    def ready(self):
        from weconomics.wiki import privacy_sources  # noqa: F401
