"""Import of customers and vehicles from another dealer system's export (.xlsx or .csv).

The steps are services, each a short unit of work that the progress page (htmx polling), the
management command and the benchmark drive alike; no background thread is involved:

    import_upload         read the file once (UTF-8 or GBK CSV, or .xlsx), guess the column mapping
    import_set_mapping    the user's choice of columns; starts the check
    import_validate_step  checks the next chunk of rows; nothing is written to customers yet
    import_confirm        "import the valid rows and list the others"
    import_commit_step    writes the next chunk of valid rows, each chunk in one transaction
    import_cancel         "import nothing"

Rows are checked with clean_customer_input and clean_vehicle_input, so an imported row meets the
same rules as one typed in. Rows with the same mobile number become one customer with several
vehicles; a customer of the store with that mobile number (and the same name) gets the vehicles.
"""

import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import snapshot
from core.models import HistoryAction, HistoryEntry

from ..imports.checking import check_chunk, empty_seen, error_entries
from ..imports.columns import clean_mapping, guess_mapping
from ..imports.reading import files_remove, media_path, parse_to_rows, read_rows, upload_keep
from ..models import Customer, ImportJob, Vehicle
from .customers import CUSTOMER_FIELDS, VEHICLE_FIELDS, name_initials, phone_digits

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000  # rows per step: a step takes well under a second on a small server
PREVIEW_ROWS = 10
IMPORT_DIR = "imports"
State = ImportJob.State


# Services: upload and mapping


def import_upload(*, actor, store, uploaded) -> ImportJob:
    """Store the uploaded export, read its header and rows, and guess the column mapping.

    `uploaded` is a Django UploadedFile or File (name, size, chunks()). The file is read outside
    a transaction (reading a large workbook takes a moment); the job is one INSERT.
    """
    name, relative, kind = upload_keep(uploaded, IMPORT_DIR)
    stored = media_path(relative)
    try:
        encoding, headers, count = parse_to_rows(stored, kind, media_path(relative + ".rows.jsonl"))
        job = ImportJob(
            store=store,
            created_by=actor,
            original_name=name,
            file_path=relative,
            file_type=kind,
            encoding=encoding,
            headers=headers,
            mapping=guess_mapping(headers),
            total_rows=count,
        )
        job.full_clean()
        job.save()
    except BaseException:
        files_remove(relative)
        raise
    return job


MAPPABLE_STATES = (State.UPLOADED, State.VALIDATED, State.FAILED)


@transaction.atomic
def import_set_mapping(*, job: ImportJob, actor, mapping: dict, confirm_vin_check: bool = False) -> ImportJob:
    """Save the chosen columns and start checking the rows from the first one."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state not in MAPPABLE_STATES:
        raise ValidationError(_("The columns of this import can no longer be changed."))
    job.mapping = clean_mapping(job.headers, mapping)
    job.confirm_vin_check = bool(confirm_vin_check)
    job.state = State.VALIDATING
    job.processed_rows = 0
    job.valid_rows = 0
    job.errors = []
    job.work = {}
    job.message = ""
    job.finished_at = None
    job.heartbeat_at = timezone.now()
    job.save(
        update_fields=[
            "heartbeat_at",
            "mapping",
            "confirm_vin_check",
            "state",
            "processed_rows",
            "valid_rows",
            "errors",
            "work",
            "message",
            "finished_at",
        ]
    )
    return job


def _finish(job: ImportJob, state: str, message: str = "") -> None:
    job.state = state
    job.finished_at = timezone.now()
    if message:
        job.message = message[:300]
    job.errors.sort(key=lambda e: e["row"])


def _fail(job_pk: int, exc: BaseException) -> ImportJob:
    """An unexpected problem: the chunk was rolled back; the job says so instead of a server error."""
    logger.exception("import %s failed", job_pk, exc_info=exc)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_pk)
        _finish(
            job,
            State.FAILED,
            _(
                "The import stopped because of an unexpected problem (%(problem)s). The rows written before "
                "it stay imported; the rest were not written."
            )
            % {"problem": type(exc).__name__},
        )
        job.save(update_fields=["state", "finished_at", "message", "errors"])
    return job


def import_validate_step(*, job: ImportJob, actor=None) -> ImportJob:
    """Check the next chunk of rows; after the last one the job waits for the user's choice."""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            if job.state != State.VALIDATING:
                return job
            rows = read_rows(job, job.processed_rows, CHUNK_ROWS)
            seen = job.work if job.work.get("plates") is not None else empty_seen()
            checked = check_chunk(job, rows, seen)
            job.errors.extend(error_entries(checked))
            job.valid_rows += sum(1 for r in checked if not r.errors)
            job.processed_rows += len(rows)
            if not rows or job.processed_rows >= job.total_rows:
                job.state = State.VALIDATED
                # Only the counts are needed from here on; the plates and VINs seen are not kept.
                job.work = {"new_customers": seen["new_customers"], "vehicles": seen["vehicles"]}
            else:
                job.work = seen
            job.heartbeat_at = timezone.now()
            job.save(update_fields=["state", "processed_rows", "valid_rows", "errors", "work", "heartbeat_at"])
            return job
    except Exception as exc:
        return _fail(job.pk, exc)


# ---------------------------------------------------------------------------------------------
# The user's choice, and writing


@transaction.atomic
def import_confirm(*, job: ImportJob, actor) -> ImportJob:
    """ "Import the valid rows and list the others": start writing."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state != State.VALIDATED:
        raise ValidationError(_("This import is not waiting for a choice; reload the page."))
    if not job.valid_rows:
        raise ValidationError(
            _("No row is valid, so there is nothing to import. Correct the file and upload it again.")
        )
    job.state = State.IMPORTING
    job.processed_rows = 0
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["state", "processed_rows", "heartbeat_at"])
    return job


@transaction.atomic
def import_cancel(*, job: ImportJob, actor) -> ImportJob:
    """ "Import nothing": the job ends without writing a customer or a vehicle."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.state in (State.IMPORTING, State.DONE) or job.imported_customers or job.imported_vehicles:
        raise ValidationError(_("Rows of this import are already written; it can no longer be cancelled."))
    if job.state == State.CANCELLED:
        return job
    _finish(job, State.CANCELLED)
    job.work = {}
    job.save(update_fields=["state", "finished_at", "errors", "work"])
    return job


def _history(*, obj, fields, actor, store_id, ct, note) -> HistoryEntry:
    after = snapshot(obj, fields)
    return HistoryEntry(
        store_id=store_id,
        content_type=ct,
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=HistoryAction.IMPORT,
        actor=actor if getattr(actor, "pk", None) else None,
        changes={key: ["", value] for key, value in sorted(after.items()) if value != ""},
        note=note[:200],
    )


def _write_chunk(job: ImportJob, rows: list, actor) -> tuple[int, int, list[dict]]:
    """Write the valid rows of one chunk (inside the caller's transaction)."""
    error_rows = {e["row"] for e in job.errors}
    rows = [(number, cells) for number, cells in rows if number not in error_rows]
    # Rechecked against the store's data as it is now: a plate added since the check is refused here.
    checked = check_chunk(job, rows, empty_seen())
    now = timezone.now()
    new_customers: dict[str, Customer] = {}
    vehicles: list[Vehicle] = []
    for r in checked:
        if r.errors:
            continue
        c = r.customer
        if r.owner:
            owner = Customer(pk=r.owner[0], name=r.owner[1], store_id=job.store_id)
        elif r.group in new_customers:
            owner = new_customers[r.group]
        else:
            owner = Customer(store_id=job.store_id, **{key: c[key] for key in CUSTOMER_FIELDS})
            owner.name_initials = name_initials(owner.name)
            owner.phone_digits = phone_digits(owner.mobile, owner.landline)
            owner.consent_at = now if owner.consent_to_contact else None
            # The store is the job's: no query per row to check that it exists.
            owner.full_clean(exclude=["store"], validate_unique=False, validate_constraints=False)
            new_customers[r.group] = owner
        if r.vehicle:
            v = r.vehicle
            vehicle = Vehicle(
                store_id=job.store_id, owner=owner, **{key: v[key] for key in VEHICLE_FIELDS if key != "owner"}
            )
            if v["vin_check_warning"]:
                vehicle.vin_check_confirmed_by = actor
                vehicle.vin_check_confirmed_at = now
            vehicles.append(vehicle)
    Customer.objects.bulk_create(new_customers.values())
    for vehicle in vehicles:
        vehicle.owner = vehicle.owner  # the saved customer's id, keeping the object for the history
        vehicle.full_clean(
            exclude=["store", "owner", "vin_check_confirmed_by"], validate_unique=False, validate_constraints=False
        )
    Vehicle.objects.bulk_create(vehicles)
    note = _("Imported from %(file)s (import #%(job)d).") % {"file": job.original_name, "job": job.pk}
    ct_customer = ContentType.objects.get_for_model(Customer)
    ct_vehicle = ContentType.objects.get_for_model(Vehicle)
    history = [
        _history(obj=c, fields=CUSTOMER_FIELDS, actor=actor, store_id=job.store_id, ct=ct_customer, note=note)
        for c in new_customers.values()
    ]
    history += [
        _history(obj=v, fields=VEHICLE_FIELDS, actor=actor, store_id=job.store_id, ct=ct_vehicle, note=note)
        for v in vehicles
    ]
    HistoryEntry.objects.bulk_create(history)
    return len(new_customers), len(vehicles), error_entries(checked)


def import_commit_step(*, job: ImportJob, actor) -> ImportJob:
    """Write the next chunk of valid rows in one transaction; a row refused now joins the error list."""
    try:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    job = ImportJob.objects.select_for_update().get(pk=job.pk)
                    if job.state != State.IMPORTING:
                        return job
                    rows = read_rows(job, job.processed_rows, CHUNK_ROWS)
                    customers, vehicles, errors = _write_chunk(job, rows, actor)
                    job.imported_customers += customers
                    job.imported_vehicles += vehicles
                    job.errors.extend(errors)
                    job.valid_rows -= len({e["row"] for e in errors})
                    job.processed_rows += len(rows)
                    if not rows or job.processed_rows >= job.total_rows:
                        _finish(job, State.DONE)
                        job.work = {}
                    job.heartbeat_at = timezone.now()
                    job.save(
                        update_fields=[
                            "heartbeat_at",
                            "state",
                            "processed_rows",
                            "valid_rows",
                            "imported_customers",
                            "imported_vehicles",
                            "errors",
                            "work",
                            "finished_at",
                        ]
                    )
                    return job
            except IntegrityError:
                # Someone saved the same plate or VIN between our check and our write: check again.
                if attempt == 2:
                    raise
    except Exception as exc:
        return _fail(job.pk, exc)
    return job


class _RollBack(Exception):
    def __init__(self, message: str, errors: list):
        super().__init__(message)
        self.message = message
        self.errors = errors


def import_run(*, job: ImportJob, actor, valid_only: bool) -> ImportJob:
    """Every step at once (the command and the benchmark): check all rows, then write or not.

    With valid_only false, any invalid row means nothing is written (all or nothing), and the
    writing runs in one transaction so that a row refused at write time undoes the whole import.
    """
    while job.state == State.VALIDATING:
        job = import_validate_step(job=job, actor=actor)
    if job.state != State.VALIDATED:
        return job
    if job.errors and not valid_only:
        return import_cancel(job=job, actor=actor)
    if not job.valid_rows:
        return import_cancel(job=job, actor=actor)
    job = import_confirm(job=job, actor=actor)
    if valid_only:
        while job.state == State.IMPORTING:
            job = import_commit_step(job=job, actor=actor)
        return job
    try:
        with transaction.atomic():
            while job.state == State.IMPORTING:
                job = import_commit_step(job=job, actor=actor)
            if job.state != State.DONE or job.errors:
                raise _RollBack(job.message, job.errors)
    except _RollBack as stop:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job.pk)
            job.errors = stop.errors
            _finish(
                job,
                State.CANCELLED,
                stop.message or _("A row was refused while writing, so nothing was imported (all or nothing)."),
            )
            job.save(update_fields=["state", "finished_at", "message", "errors"])
    return job


def import_files_purge(*, older_than_days: int) -> int:
    """Delete the stored upload and row files of imports that ended over N days ago (PIPL).

    The job, its counts and its error list stay; the error report then lists rows without values.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    jobs = ImportJob.objects.filter(finished_at__lt=cutoff).exclude(file_path="")
    purged = 0
    for job in jobs.iterator():
        files_remove(job.file_path)
        ImportJob.objects.filter(pk=job.pk).update(file_path="")
        purged += 1
    return purged
