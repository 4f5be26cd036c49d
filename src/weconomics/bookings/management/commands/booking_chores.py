"""weconomics booking_chores: reminders, minimum-participant checks, expired offers (hourly)."""

from django.core.management.base import BaseCommand

from weconomics.bookings import services


class Command(BaseCommand):
    help = ("Send due reminders, prompt providers whose dates lack participants, and pass "
            "expired waiting-list offers on. Safe to run as often as you like.")

    def handle(self, *args, **options):
        reminders = services.send_reminders()
        minimums = services.check_minimums()
        offers = services.expire_waiting_list_offers()
        self.stdout.write(f"{reminders} reminders, {minimums} dates below their minimum, "
                          f"{offers} dates with expired offers.")
