"""The council's Ed25519 key that signs release bundle manifests (DESIGN.md 2C).

A signature lets a recipient prove where a bundle came from as well as that nothing changed,
provided they check it with the public key the council publishes (issue 8: the transparency
page), not only with the copy inside the bundle.

The private key is a PEM file that only the service's user may read (0600), outside media
storage and out of git: settings.EVIDENCE_SIGNING_KEY_FILE, by default
VAR_DIR/keys/evidence-signing-ed25519.pem, made once by `manage.py signing_key_create`. It is
made on first use only where settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE says so (development and
tests); in production a missing key is a configuration error, because a silently new key
would sign bundles that do not match the published one.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from evidence.verify import public_key_fingerprint

logger = logging.getLogger(__name__)

DEFAULT_SIGNER_NAME = "Vale of Glamorgan Council"
KEY_FILE_MODE = 0o600


def signing_key_path() -> Path:
    default = Path(settings.VAR_DIR) / "keys" / "evidence-signing-ed25519.pem"
    return Path(getattr(settings, "EVIDENCE_SIGNING_KEY_FILE", None) or default)


def signer_name() -> str:
    return getattr(settings, "EVIDENCE_SIGNER_NAME", None) or DEFAULT_SIGNER_NAME


def _write_new_key(path: Path) -> Ed25519PrivateKey:
    """Write a new key so that no reader ever sees half a file and two writers never both win.

    The PEM goes to a 0600 temporary file in the same folder, then is hard-linked into place:
    link() fails if the name exists, so a second process creating at the same moment loses
    and uses the first one's key.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-key-")  # mkstemp makes it 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pem)
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, path)
    finally:
        os.unlink(temporary)
    logger.info("evidence signing key created path=%s fingerprint=%s", path, public_key_fingerprint(key.public_key()))
    return key


def signing_key_create(*, replace: bool = False) -> Path:
    """Make the signing key file; with replace, retire the old one beside it (never delete it).

    A retired key is kept because bundles it signed must still be checkable, and whoever
    published its public half needs to know which one to withdraw.
    """
    path = signing_key_path()
    if path.exists():
        if not replace:
            raise FileExistsError(f"The signing key {path} already exists.")
        retired = path.with_name(f"{path.stem}.retired-{timezone.now():%Y%m%dT%H%M%SZ}{path.suffix}")
        path.rename(retired)
        logger.warning("evidence signing key retired path=%s", retired)
    _write_new_key(path)
    return path


def signing_private_key() -> Ed25519PrivateKey:
    path = signing_key_path()
    if not path.exists():
        if not getattr(settings, "EVIDENCE_SIGNING_KEY_AUTO_CREATE", settings.DEBUG):
            raise ImproperlyConfigured(
                f"The evidence signing key {path} does not exist: run `manage.py signing_key_create` once, then "
                "publish its public key."
            )
        try:
            return _write_new_key(path)
        except FileExistsError:
            pass  # another process made it a moment ago: use theirs
    if path.stat().st_mode & 0o077:
        raise ImproperlyConfigured(f"The evidence signing key {path} is readable by other users: chmod 600 it.")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"The evidence signing key {path} is not an Ed25519 private key.")
    return key


def signing_public_key_pem(private_key: Ed25519PrivateKey | None = None) -> bytes:
    key = private_key or signing_private_key()
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def signing_key_fingerprint(private_key: Ed25519PrivateKey | None = None) -> str:
    return public_key_fingerprint((private_key or signing_private_key()).public_key())
