"""Forms of the customer import: the upload and the column mapping. The services check the rules."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from org.access import Right, stores_for

from ..imports.columns import IMPORT_FIELDS, column_letter


class ImportUploadForm(forms.Form):
    """A file to import into one of the person's stores (customers here; phone records reuse it)."""

    accept = ".xlsx,.csv"
    store = forms.ModelChoiceField(label=_("Store"), queryset=None, required=True)
    file = forms.FileField(
        label=_("File"),
        allow_empty_file=True,  # the service says why an empty file cannot be imported
        error_messages={"required": _("Choose the file to import.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        stores = self.store_choices(user)
        self.fields["store"].queryset = stores
        if len(stores) == 1:
            self.fields["store"].initial = stores[0]
            self.fields["store"].widget = forms.HiddenInput()
        self.fields["file"].widget = forms.ClearableFileInput(attrs={"accept": self.accept})
        self.fields["file"].help_text = self.file_help() % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)}

    def store_choices(self, user):
        """The stores the person may import into (a form of another import may decide otherwise)."""
        return stores_for(user, Right.IMPORT)

    def file_help(self) -> str:
        return _(
            "An Excel workbook (.xlsx) or a CSV file (.csv, UTF-8 or GBK) of at most %(limit)d MB, "
            "with the column names in the first row."
        )


class ImportMappingForm(forms.Form):
    """For each of our fields, the column of the file that holds it (or none)."""

    confirm_vin_check = forms.BooleanField(
        label=_("Keep VINs whose check digit is wrong: I have checked them on the vehicles"),
        required=False,
    )

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not imported —"))]
        choices += [(str(i), f"{column_letter(i)} · {h}" if h else column_letter(i)) for i, h in enumerate(headers)]
        confirm = self.fields.pop("confirm_vin_check")
        for f in IMPORT_FIELDS:
            self.fields[f.key] = forms.TypedChoiceField(
                label=f.label, choices=choices, required=False, coerce=int, empty_value=None
            )
        self.fields["confirm_vin_check"] = confirm

    def customer_fields(self):
        return [self[f.key] for f in IMPORT_FIELDS if not f.vehicle]

    def vehicle_fields(self):
        return [self[f.key] for f in IMPORT_FIELDS if f.vehicle]

    def mapping(self) -> dict[str, int]:
        return {f.key: self.cleaned_data[f.key] for f in IMPORT_FIELDS if self.cleaned_data.get(f.key) is not None}
