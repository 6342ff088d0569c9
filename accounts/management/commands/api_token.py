"""Create, list and revoke personal API tokens from the command line."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User
from accounts.tokens import create_token, revoke_token


class Command(BaseCommand):
    help = "Manage personal API tokens: create USER [--name N] | list USER | revoke ID"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="make a token and print its key once")
        create.add_argument("username")
        create.add_argument("--name", default="Command-line token")
        listing = sub.add_parser("list", help="a user's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)

    def _user(self, username: str) -> User:
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist as error:
            raise CommandError(f"No user called {username!r}.") from error

    def handle(self, *args, action, **options):
        if action == "create":
            token, key = create_token(
                user=self._user(options["username"]), name=options["name"]
            )
            self.stdout.write(
                f"Token {token.pk} ({token.name}) created. Its key, shown only now:"
            )
            self.stdout.write(key)
        elif action == "list":
            for token in ApiToken.objects.filter(user=self._user(options["username"])):
                state = (
                    f"revoked {token.revoked_at:%Y-%m-%d}"
                    if token.revoked_at
                    else "active"
                )
                self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}")
        else:
            token = ApiToken.objects.filter(pk=options["token_id"]).first()
            if token is None:
                raise CommandError(f"No token with id {options['token_id']}.")
            revoke_token(token=token)
            self.stdout.write(f"Token {token.pk} revoked.")
