from django.db import models


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    CONTRACTOR = "contractor", "Monitoring contractor"
    POLICE = "police", "Police force"
    INSURER_SOLICITOR = "insurer_solicitor", "Insurer or solicitor"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    """The people of DESIGN.md section 1. A user has exactly one role."""

    CCTV_MANAGER = "cctv_manager", "CCTV manager"
    OPERATOR = "operator", "Control-room operator"
    OG_MEMBER = "og_member", "Operational Group member"
    POLICE_REQUESTER = "police_requester", "Police requester"
    ENGINEER = "engineer", "Maintenance engineer"
    AUDITOR = "auditor", "Auditor / DPO"
    ADMIN = "admin", "Administrator"


class AccessEvent(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    SECOND_FACTOR_FAILED = "second_factor_failed", "Second factor refused"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "Two-factor sign-in set up"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "Recovery codes renewed"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset by an administrator"
    SESSION_ENDED = "session_ended", "Session ended by its user"
    LOCKED_OUT = "locked_out", "Locked out"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    VIEWED = "viewed", "Viewed"
    DOWNLOADED = "downloaded", "Downloaded"
    PUBLIC_SAR = "public_sar", "Subject access request from the public page"
