"""What a council tells the public about its CCTV scheme (Surveillance Camera Code, principle 3)."""

from django.conf import settings
from django.db import models

OGL_WORDING = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
)


class Scheme(models.Model):
    """One council's public statement: who runs the scheme, why, and how to ask for footage.

    Nothing here is private: every field may appear on the public page. The monitoring contractor
    and the retention period are not stored here but read from the contract and the cameras, so
    the public page cannot drift from the register.
    """

    owner = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT, related_name="scheme")
    name = models.CharField(max_length=200, help_text="The scheme's public name.")
    published = models.BooleanField(
        default=False, help_text="Show this scheme, its cameras and its open data on the public page."
    )
    statement = models.TextField(help_text="Why the scheme exists and what it is for, in plain words.")
    controller_contact = models.CharField(
        max_length=300, help_text="How to reach the data controller (an address or a mailbox, not a person)."
    )
    sar_instructions = models.TextField(help_text="How to make a subject access request for footage.")
    sar_intake_enabled = models.BooleanField(
        default=False, help_text="Offer the online subject access request form on the public page."
    )
    open_data_licence = models.TextField(
        default=OGL_WORDING, help_text="The attribution statement published with the camera open data."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
