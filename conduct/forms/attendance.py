"""Forms of the attendance import and list (S1.D1a): the upload, the columns, the month's filter. The services
check the rules."""

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms.imports import ImportUploadForm
from customers.imports.columns import column_letter

from ..choices import AttendanceSource
from ..imports.columns import ATTENDANCE_FIELDS
from ..selectors.attendance import attendance_import_stores


class AttendanceUploadForm(ImportUploadForm):
    """A DingTalk or WeCom clock-in export for one of the stores where the person may import attendance."""

    source = forms.ChoiceField(
        label=_("Exported from"), choices=AttendanceSource.choices, initial=AttendanceSource.DINGTALK
    )

    def store_choices(self, user):
        return attendance_import_stores(user)

    def file_help(self) -> str:
        return _(
            "The daily clock-in report exported from DingTalk (钉钉) or WeCom (企业微信): an Excel workbook "
            "(.xlsx) or a CSV file (UTF-8 or GBK) of at most %(limit)d MB. Title rows above the column names are fine."
        )


class AttendanceMappingForm(forms.Form):
    """For each of our fields, the column of the file that holds it (or none)."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not used —"))]
        choices += [(str(i), f"{column_letter(i)} · {h}" if h else column_letter(i)) for i, h in enumerate(headers)]
        for f in ATTENDANCE_FIELDS:
            self.fields[f.key] = forms.TypedChoiceField(
                label=f.label, choices=choices, required=False, coerce=int, empty_value=None
            )

    def mapping(self) -> dict[str, int]:
        return {f.key: self.cleaned_data[f.key] for f in ATTENDANCE_FIELDS if self.cleaned_data.get(f.key) is not None}


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class AttendanceFilterForm(forms.Form):
    """The attendance list's filter: the store (for people of several), the person and the month (YYYY-MM)."""

    store = forms.TypedChoiceField(label=_("Store"), required=False, coerce=int, empty_value=None)
    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    month = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )

    def __init__(self, *args, stores, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.pk, str(s)) for s in stores]
        self.fields["person"].choices = [("", _("Everyone"))] + [(p.pk, p.name or p.username) for p in people]
        if len(self.fields["store"].choices) <= 1:
            self.fields["store"].widget = forms.HiddenInput()

    def clean_month(self) -> date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        match = _MONTH.match(text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Enter the month as 2026-11."), code="invalid")
        return date(int(match[1]), int(match[2]), 1)
