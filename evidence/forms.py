"""Shape checks for the evidence forms; the rules are in evidence.services."""

from django import forms

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from evidence.choices import LegalBasis, RequestKind, Urgency


class RequestForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label="Council holding the footage")
    kind = forms.ChoiceField(choices=RequestKind.choices)
    legal_basis = forms.ChoiceField(choices=LegalBasis.choices)
    crime_reference = forms.CharField(required=False, max_length=60, label="Crime or incident reference")
    incident_starts_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                             label="Incident from")
    incident_ends_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                           label="Incident to")
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    location_description = forms.CharField(required=False, max_length=300, label="Where (in words)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    urgency = forms.ChoiceField(choices=Urgency.choices)
    requester_name = forms.CharField(required=False, max_length=200, label="Data subject's name (SAR)")
    requester_contact = forms.CharField(required=False, max_length=300, label="Contact (SAR)")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        councils = Organisation.objects.filter(kind=OrganisationKind.COUNCIL)
        if user.role == Role.POLICE_REQUESTER:
            # A force asks the councils that share their estate with it.
            councils = councils.filter(shares_with=user.organisation_id)
            self.fields["kind"].choices = [(RequestKind.POLICE_INVESTIGATION, RequestKind.POLICE_INVESTIGATION.label)]
            self.fields["legal_basis"].choices = [
                (value, label) for value, label in LegalBasis.choices
                if value in (LegalBasis.DPA_SCH2_PARA2, LegalBasis.DPA_PART3)
            ]
            del self.fields["requester_name"], self.fields["requester_contact"]
        elif user.organisation_id:
            councils = councils.filter(pk=user.organisation_id) | councils.filter(shares_with=user.organisation_id)
        self.fields["owner"].queryset = councils.distinct().order_by("name")
        if self.fields["owner"].queryset.count() == 1:
            self.fields["owner"].initial = self.fields["owner"].queryset.first()

    def clean(self):
        data = super().clean()
        has_lon, has_lat = data.get("longitude") is not None, data.get("latitude") is not None
        if has_lon != has_lat:
            raise forms.ValidationError("Give both longitude and latitude, or pick the place on the map.")
        if not has_lon and not data.get("location_description"):
            raise forms.ValidationError("Say where the incident happened: pick it on the map or describe it.")
        return data
