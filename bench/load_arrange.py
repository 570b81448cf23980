"""Credentials for the load test (bench/load.py), written as JSON for the load's clients.

Staff roles sign in with a second factor, so the load's staff clients use API tokens, as the
monitoring software and the export station do: this issues one for the operator and one for the
CCTV manager through accounts.services.api_token_create. The police officer needs no second
factor and signs in through the sign-in page with the demo password, which load_vale_demo
keeps in VAR_DIR/demo-credentials.txt.

Runs against the service's own database (DATABASE_URL as the service has it), never the bench
database of bench/_setup.py: the tokens must exist where the service looks for them.

Run: .venv/bin/python bench/load_arrange.py OUTPUT.json
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN_USERS = ("operator", "manager")
SESSION_USER = "officer"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="where to write the credentials (mode 0600)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    from accounts.models import User
    from accounts.services import api_token_create
    from cctv.management.commands.load_vale_demo import Command as LoadValeDemo

    credentials = Path(settings.VAR_DIR) / "demo-credentials.txt"
    if not credentials.exists():
        raise SystemExit(f"{credentials} is missing: run manage.py load_vale_demo first.")
    tokens = {username: api_token_create(user=User.objects.get(username=username), name="load test").plaintext
              for username in TOKEN_USERS}
    args.output.touch(mode=0o600)
    args.output.write_text(json.dumps({
        "tokens": tokens,
        "session": {"username": SESSION_USER, "password": LoadValeDemo._password(credentials)},
    }))


if __name__ == "__main__":
    main()
