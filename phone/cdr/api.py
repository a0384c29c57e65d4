"""API: a batch of phone-system call records, as a CSV file or as JSON records (mounted in aftersales/api.py).

Who may send: a caller with Right.IMPORT in the store (store managers, group admins). The phone
system's integration uses a token of a dedicated account with that right in its store; a staff
account's token (the incoming-call push) may not import, because an import writes calls in the
names of everybody in the store.
"""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from core.api_schemas import ERRORS_TEXT, ErrorOut, StoreRef, ValidationErrorOut, store_ref
from core.validators import field_error
from org.access import Right, require, stores_for

from .importer import cdr_import_file, cdr_import_records

router = Router(tags=["phone"])

MAX_JSON_RECORDS = 50_000


class CdrLineError(Schema):
    line: int = Field(description="The line of the file (for JSON: the record's position, from 1, plus 1).")
    reason: str = Field(description="Why the line was not imported, in the caller's language.")
    record: int | None = Field(None, description="JSON records only: the record's position, from 1.")


class CdrBatchOut(Schema):
    id: int = Field(description="The import's id.")
    store: StoreRef
    format: str = Field(description="asterisk, freepbx or json.")
    encoding: str
    rows_read: int
    calls_created: int = Field(description="Calls added.")
    calls_existing: int = Field(description="Calls already imported before: not added again.")
    promises_made: int = Field(description="Call-back promises made for recent missed calls.")
    bad_rows: int
    errors: list[CdrLineError] = Field(description="The first 1,000 bad lines.")


def _store(user, code: str):
    stores = stores_for(user, Right.IMPORT)
    if code:
        store = stores.filter(code=code.strip()).first()
        if store is None:
            if stores_for(user).filter(code=code.strip()).exists():
                require(user, Right.IMPORT)  # 403: the store is theirs, the right is not
            raise field_error("store", _("There is no such store among yours (see GET /api/v1/stores)."))
        return store
    require(user, Right.IMPORT)
    candidates = list(stores[:2])
    if user.store_id and any(s.pk == user.store_id for s in stores):
        return stores.get(pk=user.store_id)
    if len(candidates) == 1:
        return candidates[0]
    raise field_error("store", _("Give the store's code or id (see GET /api/v1/stores)."))


def _out(imp) -> dict:
    return {
        "id": imp.pk,
        "store": store_ref(imp.store),
        "format": imp.format,
        "encoding": imp.encoding,
        "rows_read": imp.rows_read,
        "calls_created": imp.calls_created,
        "calls_existing": imp.calls_existing,
        "promises_made": imp.promises_made,
        "bad_rows": imp.bad_rows,
        "errors": imp.errors,
    }


@router.post(
    "/calls/records/batch",
    response={200: CdrBatchOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="call_records_batch",
    summary="Import a batch of phone-system call records",
    description=(
        "Either a multipart upload with the field `file` (Asterisk Master.csv or a FreePBX/Issabel cdr "
        "export with its header row, UTF-8 or GBK) and the field `store` (code), or a JSON body "
        '`{"store": "S001", "records": [{"calldate": "2024-05-31 10:00:00", "src": "13812345678", '
        '"dst": "8011", "duration": 40, "billsec": 25, "disposition": "ANSWERED", "linkedid": "…", '
        '"channel": "…", "dstchannel": "…"}, …]}` with the cdr column names (at most 50,000 records). '
        "The legs of one call (same linkedid) count once; calls imported before are counted, not added "
        "again; bad lines are listed and the rest imported. Needs the import right in the store "
        "(store manager, group admin, or the phone system's account with that role)." + ERRORS_TEXT
    ),
)
def call_records_batch(request):
    user = request.user
    if request.content_type.startswith("multipart/"):
        upload = request.FILES.get("file")
        store = _store(user, request.POST.get("store", ""))
        if upload is None:
            raise field_error("file", _("Choose the file to import."))
        imp = cdr_import_file(store=store, actor=user, binary_file=upload.file, filename=upload.name or "")
        return _out(imp)
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        raise field_error("records", _("Enter a valid JSON.")) from None
    code = ""
    records = body
    if isinstance(body, dict):
        code = str(body.get("store") or "")
        records = body.get("records")
    store = _store(user, code or request.GET.get("store", ""))
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise field_error("records", _("Send the records as a list of objects with the cdr column names."))
    if not records:
        raise field_error("records", _("The batch has no records."))
    if len(records) > MAX_JSON_RECORDS:
        raise ValidationError(
            {"records": [_("At most %(limit)d records can be sent at once.") % {"limit": MAX_JSON_RECORDS}]}
        )
    imp = cdr_import_records(store=store, actor=user, records=records)
    return _out(imp)
