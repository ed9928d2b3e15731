from django import forms

from notifications.models import EmailChoice


class EmailChoiceForm(forms.Form):
    email = forms.ChoiceField(
        label="Emails about notifications",
        choices=EmailChoice.choices,
        widget=forms.RadioSelect,
    )
