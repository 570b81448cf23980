from django.core.management.base import BaseCommand, CommandError

from accounts.exceptions import DomainError
from accounts.models import User
from accounts.two_factor import two_factor_reset


class Command(BaseCommand):
    help = ("Reset a user's two-factor sign-in (lost phone): remove their authenticator and recovery codes "
            "and end their sessions. For when no administrator can sign in; otherwise use the admin site.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why, for the access log (e.g. 'phone lost, ticket 42').")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user called {options['username']!r}.")
        try:
            two_factor_reset(user=user, by=None, reason=options["reason"])
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS(
            f"Two-factor sign-in reset for {user.username}; recorded in the access log."))
