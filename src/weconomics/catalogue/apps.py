from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "weconomics.catalogue"
    verbose_name = _("Products")

    def ready(self):
        from weconomics.catalogue import privacy_sources, publishing  # noqa: F401
