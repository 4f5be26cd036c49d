"""weconomics oidc_client: register, list and remove OpenID Connect clients (channels)."""

from allauth.idp.oidc.models import Client
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from weconomics.identity.oidc_clients import ALLOWED_SCOPES, register_client


class Command(BaseCommand):
    help = "Manage the channels that sign people in through Weconomics (OpenID Connect)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Register a client and print its id and secret.")
        create.add_argument("--name", required=True)
        create.add_argument("--redirect-uri", action="append", required=True,
                            dest="redirect_uris", help="Repeat for several.")
        create.add_argument("--post-logout-redirect-uri", action="append", default=[],
                            dest="post_logout_redirect_uris")
        create.add_argument("--scope", action="append", dest="scopes",
                            help=f"Repeat for several; from {', '.join(ALLOWED_SCOPES)}. "
                            "Default: openid, profile, email.")
        create.add_argument("--public", action="store_true",
                            help="A public client (an app or single-page site) without a secret; "
                            "it must use PKCE.")
        create.add_argument("--skip-consent", action="store_true",
                            help="A first-party channel: do not ask people to consent.")
        sub.add_parser("list", help="List registered clients.")
        delete = sub.add_parser("delete", help="Remove a client and its tokens.")
        delete.add_argument("client_id")

    def handle(self, *args, action, **options):
        if action == "create":
            try:
                client, secret = register_client(
                    name=options["name"], redirect_uris=options["redirect_uris"],
                    post_logout_redirect_uris=options["post_logout_redirect_uris"],
                    public=options["public"], scopes=options["scopes"],
                    skip_consent=options["skip_consent"])
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
            self.stdout.write(f"client_id: {client.pk}")
            if secret:
                self.stdout.write(f"client_secret: {secret}")
                self.stdout.write("Store the secret now; it cannot be shown again.")
        elif action == "list":
            for client in Client.objects.order_by("name"):
                self.stdout.write(f"{client.pk}  {client.name}  ({client.type})  "
                                  f"{' '.join(client.get_redirect_uris())}")
        elif action == "delete":
            deleted, _ = Client.objects.filter(pk=options["client_id"]).delete()
            if not deleted:
                raise CommandError(f"No client {options['client_id']}.")
            self.stdout.write(f"Client {options['client_id']} removed.")
