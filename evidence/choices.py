"""Choices of the evidence workflow, with what is keyed by them."""

from django.db import models


class RequestKind(models.TextChoices):
    POLICE_INVESTIGATION = "police_investigation", "Police investigation"
    SAR = "sar", "Subject access request"
    INSURER_SOLICITOR = "insurer_solicitor", "Insurer or solicitor"
    COURT_ORDER = "court_order", "Court order"
    INTERNAL = "internal", "Internal"


class LegalBasis(models.TextChoices):
    DPA_SCH2_PARA2 = "dpa2018_sch2_para2", "DPA 2018 Sch 2 para 2 (crime prevention and detection)"
    DPA_PART3 = "dpa2018_part3", "DPA 2018 Part 3 (law enforcement processing)"
    UK_GDPR_ART15 = "uk_gdpr_art15", "UK GDPR Art 15 (right of access)"
    DPA_SCH2_PARA5 = "dpa2018_sch2_para5", "DPA 2018 Sch 2 para 5 (legal proceedings and advice)"
    COURT_ORDER = "court_order", "Order of a court"
    UK_GDPR_ART6_1E = "uk_gdpr_art6_1e", "UK GDPR Art 6(1)(e) (public task)"


# The basis a request of each kind normally rests on (the form's default).
DEFAULT_LEGAL_BASIS = {
    RequestKind.POLICE_INVESTIGATION: LegalBasis.DPA_SCH2_PARA2,
    RequestKind.SAR: LegalBasis.UK_GDPR_ART15,
    RequestKind.INSURER_SOLICITOR: LegalBasis.DPA_SCH2_PARA5,
    RequestKind.COURT_ORDER: LegalBasis.COURT_ORDER,
    RequestKind.INTERNAL: LegalBasis.UK_GDPR_ART6_1E,
}


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"
    IMMEDIATE = "immediate", "Immediate (threat to life)"


class RequestState(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"
    SEARCHING = "searching", "Searching"
    FOOTAGE_FOUND = "footage_found", "Footage found"
    NONE_FOUND = "none_found", "None found"
    EXPORTED = "exported", "Exported"
    READY_FOR_COLLECTION = "ready_for_collection", "Ready for collection"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


REQUEST_STATES_FINAL = (RequestState.CLOSED, RequestState.WITHDRAWN)
# Until footage is exported, the overwrite deadline can still lose it.
REQUEST_STATES_FOOTAGE_AT_RISK = (RequestState.SUBMITTED, RequestState.ACCEPTED, RequestState.SEARCHING,
                                  RequestState.FOOTAGE_FOUND)


class DeadlineKind(models.TextChoices):
    OVERWRITE = "overwrite", "Footage overwritten"
    SAR_DUE = "sar_due", "SAR response due"
    POLICE_TARGET = "police_target", "Police service target"


class ExhibitKind(models.TextChoices):
    FOOTAGE = "footage", "Footage export"
    STILL = "still", "Still image"
    REDACTED_STILL = "redacted_still", "Redacted still"


class CustodyEventType(models.TextChoices):
    CREATED = "created", "Request created"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"
    SEARCHING = "searching", "Search started"
    FOOTAGE_FOUND = "footage_found", "Footage found"
    NONE_FOUND = "none_found", "No footage found"
    EXPORTED = "exported", "Footage exported"
    HASHED = "hashed", "Exhibit stored and hashed"
    VIEWED = "viewed", "Exhibit viewed"
    DOWNLOADED = "downloaded", "Exhibit downloaded"
    HANDED_OVER = "handed_over", "Handed over"
    RETURNED = "returned", "Returned"
    READY_FOR_COLLECTION = "ready_for_collection", "Ready for collection"
    RELEASED = "released", "Released"
    REDACTED = "redacted", "Redacted copy made"
    BUNDLE_BUILT = "bundle_built", "Release bundle built"
    DEADLINE_EXTENDED = "deadline_extended", "Deadline extended"
    CLOCK_PAUSED = "clock_paused", "SAR clock paused"
    CLOCK_RESUMED = "clock_resumed", "SAR clock resumed"
    FOOTAGE_LOST = "footage_lost", "Footage lost to overwrite"
    DESTROYED = "destroyed", "Exhibit destroyed (disposal)"
    LEGAL_HOLD = "legal_hold", "Legal hold changed"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class BundleStatus(models.TextChoices):
    BUILDING = "building", "Building"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
