"""Forms check the shape of input only; rules live in the services."""

from django import forms

from cctv.choices import CameraKind, CameraStatus, Mounting
from cctv.models import Camera


class CameraFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *CameraStatus.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "Any type"), *CameraKind.choices])
    town = forms.ChoiceField(required=False, choices=[("", "Any town")])

    def __init__(self, *args, towns: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].choices = [("", "Any town"), *[(town, town) for town in towns]]


class CameraStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CameraStatus.choices)
    note = forms.CharField(required=False, max_length=500)


class CameraForm(forms.ModelForm):
    class Meta:
        model = Camera
        fields = [
            "asset_ref", "name", "kind", "mounting", "make", "model_name", "installed_on", "upgraded_on", "town",
            "ward", "bearing_deg", "view_angle_deg", "view_range_m", "retention_days", "purpose", "dpia_ref",
            "dpia_review_due_on", "has_signage", "privacy_masking_notes", "publish_field_of_view",
        ]
        widgets = {
            "installed_on": forms.DateInput(attrs={"type": "date"}),
            "upgraded_on": forms.DateInput(attrs={"type": "date"}),
            "dpia_review_due_on": forms.DateInput(attrs={"type": "date"}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "privacy_masking_notes": forms.Textarea(attrs={"rows": 2}),
        }

    reason = forms.CharField(required=False, max_length=500, help_text="Why the change (kept in the history).")


class CameraRelocateForm(forms.Form):
    longitude = forms.FloatField(min_value=-180, max_value=180)
    latitude = forms.FloatField(min_value=-90, max_value=90)
    reason = forms.CharField(max_length=500)
    relocated_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class SnapshotForm(forms.Form):
    image = forms.FileField()
    caption = forms.CharField(required=False, max_length=200)


MOUNTING_CHOICES = Mounting.choices
