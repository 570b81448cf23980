"""The scheme statement form: shape only; the rules are in cctv.services.scheme."""

from django import forms

from cctv.models import Scheme


class SchemeForm(forms.ModelForm):
    class Meta:
        model = Scheme
        fields = ["name", "statement", "controller_contact", "sar_instructions", "open_data_licence", "published",
                  "sar_intake_enabled"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 5}),
            "sar_instructions": forms.Textarea(attrs={"rows": 5}),
            "open_data_licence": forms.Textarea(attrs={"rows": 3}),
        }
