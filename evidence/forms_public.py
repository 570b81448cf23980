"""The public subject access request form: shape only (lengths, types, the tick box); the rules are in
evidence.services.public_sar, which refuses the same things when called without this form."""

from django import forms

from evidence.services.requests import TEXT_LIMITS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PublicSarForm(forms.Form):
    requester_name = forms.CharField(max_length=TEXT_LIMITS["requester_name"], label="Your full name")
    email = forms.EmailField(required=False, max_length=254, label="Email address")
    postal_address = forms.CharField(required=False, max_length=240, label="Postal address",
                                     widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text="Give an email address, a postal address, or both.")
    window_starts_at = forms.DateTimeField(widget=DATETIME, label="Filmed from (date and time)")
    window_ends_at = forms.DateTimeField(widget=DATETIME, label="Filmed until (date and time)")
    location_description = forms.CharField(max_length=TEXT_LIMITS["location_description"], label="Where you were",
                                           help_text="A street, a shop front, a landmark.")
    camera_id = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Camera (if you know it)")
    description_of_person = forms.CharField(
        max_length=TEXT_LIMITS["description_of_person"], widget=forms.Textarea(attrs={"rows": 4}),
        label="How we will recognise you", help_text="What you were wearing, anyone with you, what you were doing.")
    consent = forms.BooleanField(
        label="I am asking for footage of myself, the details above are true, and I agree that the council uses "
              "them to find and answer my request.")

    def __init__(self, *args, cameras=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["camera_id"].choices = [("", "I don't know / not listed"), *[
            (camera.pk, f"{camera.asset_ref} {camera.name}{f' ({camera.town})' if camera.town else ''}")
            for camera in cameras]]

    def clean(self):
        data = super().clean()
        if not data.get("email") and not (data.get("postal_address") or "").strip() and "email" not in self.errors:
            raise forms.ValidationError("Give an email address or a postal address, so that we can reply to you.")
        return data
