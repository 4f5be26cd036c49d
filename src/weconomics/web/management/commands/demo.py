"""weconomics demo: idempotent demo data across the modules, then the accounts to sign in with."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from weconomics.bookings import demo as bookings_demo
from weconomics.catalogue import demo as catalogue_demo
from weconomics.communities import demo as communities_demo
from weconomics.contacts import demo as contacts_demo
from weconomics.conversations import demo as conversations_demo
from weconomics.identity import demo as identity_demo


class Command(BaseCommand):
    help = "Create or refresh demo data (safe to run again) and print the demo accounts."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        accounts = identity_demo.populate()
        organisations = contacts_demo.populate(accounts)
        communities = communities_demo.populate(accounts)
        products = catalogue_demo.populate(accounts)
        bookings = bookings_demo.populate(accounts, products)
        conversations_demo.populate(accounts)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(accounts)} accounts, {len(organisations)} organisations, "
            f"{len(communities)} communities, {len(products)} products, "
            f"{bookings['bookings']} bookings."))
        for skipped in bookings["skipped"]:
            self.stdout.write(f"  (left out: {skipped})")
        self.stdout.write("Sign in with any of these (password: "
                          f"{identity_demo.DEMO_PASSWORD}):")
        for email, account in accounts.items():
            role = "administrator, sees the outbox and admin" if account.is_staff else "member"
            self.stdout.write(f"  {email:<22} {account.name} ({role})")
