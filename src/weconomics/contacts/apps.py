from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "weconomics.contacts"
    verbose_name = _("Contacts")

    def ready(self):
        from weconomics.contacts import privacy_sources  # noqa: F401
