from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "weconomics.bookings"
    verbose_name = _("Bookings")

    def ready(self):
        from weconomics.bookings import privacy_sources  # noqa: F401
