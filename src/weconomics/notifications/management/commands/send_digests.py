"""weconomics send_digests: email the notification digests that are due (for cron)."""

from django.core.management.base import BaseCommand

from weconomics.notifications import services


class Command(BaseCommand):
    help = ("Email each account whose daily or weekly notification digest is due. "
            "Safe to run often: an account gets at most one digest per period.")

    def handle(self, *args, **options):
        sent = services.send_digests()
        self.stdout.write(f"{sent} digest email(s) sent.")
