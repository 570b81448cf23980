from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp

from accounts.two_factor import secret_to_key


class Command(BaseCommand):
    help = ("Print the current six-digit code for an authenticator key (base32, as the set-up page shows it). "
            "For trying the demo without a phone; it reads nothing from the database.")

    def add_arguments(self, parser):
        parser.add_argument("secret", help="The key shown on the set-up page, e.g. JBSW Y3DP ...")

    def handle(self, *args, **options):
        try:
            key = secret_to_key(options["secret"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{totp(key):06d}")
