import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.choices import OrganisationKind, Role
from accounts.exceptions import DomainError
from accounts.models import Organisation
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user with a role in an organisation (created if it does not exist)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--organisation", help="Organisation name (not needed for admin).")
        parser.add_argument("--organisation-kind", choices=OrganisationKind.values, default=OrganisationKind.COUNCIL)
        parser.add_argument("--password", help="If omitted, read from the VALE_NEW_PASSWORD environment variable.")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **options):
        password = options["password"] or os.environ.get("VALE_NEW_PASSWORD")
        if not password:
            raise CommandError("Give --password or set VALE_NEW_PASSWORD.")
        try:
            with transaction.atomic():  # a refused user leaves no new organisation behind
                user = self._create(password, options)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.get_role_display()})."))

    @staticmethod
    def _create(password, options):
        organisation = None
        if options["organisation"]:
            organisation, _ = Organisation.objects.get_or_create(
                name=options["organisation"], defaults={"kind": options["organisation_kind"]}
            )
        return user_create(
            username=options["username"], password=password, role=options["role"],
            organisation=organisation, email=options["email"],
            first_name=options["first_name"], last_name=options["last_name"],
        )
