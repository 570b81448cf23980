"""Make the council's Ed25519 key that signs release bundles (once per deployment, or to rotate it)."""

from django.core.management.base import BaseCommand, CommandError

from evidence.signing import signing_key_create, signing_key_fingerprint, signing_key_path, signing_public_key_pem


class Command(BaseCommand):
    help = (
        "Create the evidence signing key (EVIDENCE_SIGNING_KEY_FILE, mode 0600) and print its public key and "
        "fingerprint to publish. --rotate retires the existing key beside it and makes a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true",
                            help="retire the existing key (kept, renamed) and make a new one")
        parser.add_argument("--if-missing", action="store_true",
                            help="do nothing if the key exists (for set-up scripts such as bin/run)")

    def handle(self, *args, rotate: bool = False, if_missing: bool = False, **options):
        if if_missing and not rotate and signing_key_path().exists():
            self.stdout.write(f"Signing key {signing_key_path()} exists; fingerprint {signing_key_fingerprint()}.")
            return
        try:
            path = signing_key_create(replace=rotate)
        except FileExistsError as exc:
            raise CommandError(f"{exc} Use --rotate to retire it and make a new one.") from None
        self.stdout.write(f"Signing key written to {path} (readable by this user only).")
        self.stdout.write(f"Fingerprint: {signing_key_fingerprint()}")
        self.stdout.write("Publish this public key so recipients can check where bundles come from:")
        self.stdout.write(signing_public_key_pem().decode("ascii"))
        if rotate:
            self.stdout.write(self.style.WARNING(
                "The old key was retired, not deleted: bundles it signed still check against its published key."))
