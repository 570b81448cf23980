import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PEOPLE, demo_organisations_ensure, demo_people_ensure
from accounts.two_factor import role_requires_second_factor
from cctv.demo.load import vale_demo_estate_load


class Command(BaseCommand):
    help = ("Load the Vale demo: organisations, people, then the estate (network, 84 cameras, the monitoring "
            "contract, a year of status history and faults). Deterministic and idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed of the estate's history.")

    def handle(self, *args, **options):
        credentials = Path(settings.VAR_DIR) / "demo-credentials.txt"
        password = self._password(credentials)
        orgs = demo_organisations_ensure()
        people = demo_people_ensure(orgs=orgs, password=password)
        lines = [f"  demo sign-in (password for every demo user: {password})"]
        lines += [
            f"    {user.username:<14} {user.get_role_display()}"
            + ("  (sets up two-factor sign-in at first sign-in)" if role_requires_second_factor(user.role) else "")
            for user in people
        ]
        lines.append("  no phone to hand? "
                     "`DEBUG=true .venv/bin/python manage.py totp_code <key shown on the set-up page>`")
        credentials.write_text("\n".join(lines) + "\n")
        credentials.chmod(0o600)
        self.stdout.write(f"Vale demo loaded: {len(people)} people in {len(DEMO_PEOPLE)} roles.")
        summary = vale_demo_estate_load(seed=options["seed"])
        self.stdout.write("Vale demo estate:")
        for line in summary.lines():
            self.stdout.write(line)

    @staticmethod
    def _password(credentials: Path) -> str:
        """One random password per machine, kept beside the data it protects."""
        credentials.parent.mkdir(parents=True, exist_ok=True)
        if credentials.exists():
            first = credentials.read_text().splitlines()[0]
            return first.rsplit(": ", 1)[1].rstrip(")")
        return secrets.token_urlsafe(12)
