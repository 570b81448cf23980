"""The daily custody digest: every chain's head, anchored outside the database (DESIGN.md 5).

The database refuses to change the custody log, but someone who controls the database can
disable that guard and rewrite a chain whole, recomputing every hash; verification alone
cannot tell. So once a day each council's auditors and CCTV manager receive, by email, the
head of every chain of their requests (reference, event count, head hash, whether it verified)
and a digest of digests over those lines, and the file store keeps a copy. A chain read later
must still hold each emailed head at that event number; if not, it changed after the email.

Sent at most once per day. The claim is the digest file itself, created with an exclusive
open ('x'): of two runs (beat firing twice, a redelivered task, two workers) only one creates
the file and sends; the other finds it and stops. No database row is needed, and none could be
added without a model change. The price is at-most-once: a crash between creating the file and
sending loses that day's emails (the file copy stays and the log says so), which we prefer to two
different digests for one day reaching the same people. The claim relies on MEDIA_ROOT being
one local (or shared POSIX) directory; with S3 storage it would have to move to a table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Organisation, User
from evidence.verification import ChainReport, chains_verify

logger = logging.getLogger(__name__)

# The people who would compare a digest with the chain: the data controller's auditor (DPO)
# and its CCTV manager. The contractor's operators, whose work the chain records, are not.
DIGEST_RECIPIENT_ROLES = (Role.AUDITOR, Role.CCTV_MANAGER)
DIGEST_DIRECTORY = "custody-digests"
SECTION_SEPARATOR = "\n" + "=" * 72 + "\n\n"


@dataclass(frozen=True)
class CustodyDigest:
    """One council's digest for one day: the text emailed, and the facts it was built from."""

    day: dt.date
    owner: Organisation
    lines: tuple[str, ...]
    root: str
    broken: int
    text: str

    @property
    def subject(self) -> str:
        state = f"{self.broken} BROKEN" if self.broken else "all verified"
        return f"Custody digest {self.day.isoformat()}: {len(self.lines)} chain{pluralize(len(self.lines))}, {state}"


@dataclass(frozen=True)
class DigestSend:
    day: dt.date
    path: Path
    already_sent: bool
    emails: int


def digest_line(report: ChainReport) -> str:
    state = "verified" if report.ok else (
        f"BROKEN at event {report.first_broken.sequence}: {report.first_broken.reason}")
    return f"{report.reference} {report.events} {report.head} {state}"


def digest_root(lines: tuple[str, ...]) -> str:
    """SHA-256 of the chain lines, each followed by a newline: anyone can recompute it from the email."""
    return hashlib.sha256("".join(f"{line}\n" for line in lines).encode("utf-8")).hexdigest()


def _digest_text(*, day: dt.date, owner: Organisation, lines: tuple[str, ...], root: str, broken: int,
                 read_at: dt.datetime) -> str:
    local = timezone.localtime(read_at)
    state = f"{broken} BROKEN" if broken else "all verified"
    return "\n".join([
        f"Chain-of-custody digest for {owner.name}, {day:%A %d %B %Y}",
        f"Heads read at {local:%d %b %Y %H:%M:%S %Z}: {len(lines)} chain{pluralize(len(lines))}, {state}.",
        "",
        "Keep this email: it is a copy of the chains' heads held outside the database. Each line is one",
        "evidence request: its reference, number of custody events, head hash (the latest event's hash)",
        "and whether the chain verified. Any later copy of that chain must hold this head at that event",
        "number; if it does not, the chain was changed after this digest was sent.",
        "",
        *lines,
        "",
        f"Digest of digests: {root}",
        "(SHA-256 of the chain lines above, each followed by a newline, encoded as UTF-8.)",
        "",
    ])


def custody_digests_build(day: dt.date, *, now: dt.datetime | None = None) -> list[CustodyDigest]:
    """One digest per organisation that owns requests, by name: one pass over every chain."""
    read_at = now or timezone.now()
    lines_by_owner: dict[int, list[str]] = defaultdict(list)
    broken_by_owner: dict[int, int] = defaultdict(int)
    for report in chains_verify():
        lines_by_owner[report.owner_id].append(digest_line(report))
        broken_by_owner[report.owner_id] += not report.ok
    digests = []
    for owner in Organisation.objects.filter(pk__in=lines_by_owner).order_by("name"):
        lines = tuple(lines_by_owner[owner.pk])
        root = digest_root(lines)
        broken = broken_by_owner[owner.pk]
        text = _digest_text(day=day, owner=owner, lines=lines, root=root, broken=broken, read_at=read_at)
        digests.append(CustodyDigest(day=day, owner=owner, lines=lines, root=root, broken=broken, text=text))
    return digests


def _file_text(day: dt.date, digests: list[CustodyDigest]) -> str:
    if not digests:
        return f"Chain-of-custody digest, {day:%A %d %B %Y}: there are no evidence requests.\n"
    return SECTION_SEPARATOR.join(digest.text for digest in digests)


def custody_digest_build(day: dt.date, *, now: dt.datetime | None = None) -> str:
    """The day's digest as kept in the file store: every council's emailed text, one after another."""
    return _file_text(day, custody_digests_build(day, now=now))


def digest_path(day: dt.date) -> Path:
    return Path(settings.MEDIA_ROOT) / DIGEST_DIRECTORY / f"{day.isoformat()}.txt"


def _claim_and_write(path: Path, text: str) -> bool:
    """Create the day's file exclusively and write the text; False if another run already has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        stream = path.open("x", encoding="utf-8")
    except FileExistsError:
        return False
    try:
        with stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())  # the copy outside the database must survive a crash after the emails
    except OSError:
        path.unlink(missing_ok=True)  # a half-written copy must not stand as the day's claim
        raise
    return True


def _recipients_by_owner(owner_ids: list[int]) -> dict[int, list[str]]:
    recipients: dict[int, list[str]] = defaultdict(list)
    users = (User.objects.filter(organisation_id__in=owner_ids, role__in=DIGEST_RECIPIENT_ROLES, is_active=True)
             .exclude(email="").order_by("email").values_list("organisation_id", "email"))
    for owner_id, email in users:
        recipients[owner_id].append(email)
    return recipients


def _emails_send(digests: list[CustodyDigest]) -> int:
    """One email per council to its auditors and CCTV managers; a council whose mail fails does not stop the rest."""
    recipients = _recipients_by_owner([digest.owner.pk for digest in digests])
    sent = 0
    for digest in digests:
        to = recipients.get(digest.owner.pk)
        if not to:
            logger.warning("custody digest not emailed: no active auditor or manager with an email owner=%s day=%s",
                           digest.owner.pk, digest.day)
            continue
        try:
            sent += send_mail(digest.subject, digest.text, settings.DEFAULT_FROM_EMAIL, to)
        except (smtplib.SMTPException, OSError):
            logger.exception("custody digest email failed owner=%s day=%s (the file copy stands)",
                             digest.owner.pk, digest.day)
    logger.info("custody digest emailed day=%s emails=%s", digests[0].day if digests else None, sent)
    return sent


def custody_digest_send(day: dt.date, *, now: dt.datetime | None = None) -> DigestSend:
    """Write the day's digest to the file store and email each council its part, once per day.

    The emails go after the caller's transaction commits (at once when there is none);
    `emails` counts those sent before returning, so it is 0 when they wait for a commit.
    """
    path = digest_path(day)
    if path.exists():  # the cheap check; the exclusive create below is the one that decides
        return DigestSend(day=day, path=path, already_sent=True, emails=0)
    digests = custody_digests_build(day, now=now)
    if not _claim_and_write(path, _file_text(day, digests)):
        return DigestSend(day=day, path=path, already_sent=True, emails=0)
    logger.info("custody digest written day=%s chains=%s", day, sum(len(digest.lines) for digest in digests))
    outcome: list[int] = []
    transaction.on_commit(lambda: outcome.append(_emails_send(digests)))
    return DigestSend(day=day, path=path, already_sent=False, emails=outcome[0] if outcome else 0)
