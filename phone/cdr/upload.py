"""The upload page's import: the file stored under MEDIA_ROOT/cdr/, then processed a step at a time.

Each step (the page polls it with htmx) reads only its own part of the stored file, from where the
last step stopped, and goes through the same path as phone.cdr.importer.cdr_import_file.
"""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.validators import field_error

from ..models import CdrImport
from .decode import CHUNK_SIZE
from .importer import BadLines, ImportContext, State, import_failed, import_finish, records_run, sniff
from .merge import CallRecord, LegMerger
from .parse import CdrReader

STEP_LINES = 50_000  # lines per step of the upload page (about 30,000 calls, a few seconds)
CDR_DIR = "cdr"


def _media(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def cdr_upload(*, store, actor, uploaded) -> CdrImport:
    """Store an uploaded call-record file under MEDIA_ROOT/cdr/ and open its import (nothing written yet).

    A UTF-16 file is stored as UTF-8, so that the steps can go on from any line end.
    """
    name = Path(uploaded.name or "").name[:255]
    size = uploaded.size or 0
    if size == 0:
        raise field_error("file", _("The file is empty: it has no rows."))
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise field_error(
            "file",
            _("The file has %(size)d MB; at most %(limit)d MB can be imported at once.")
            % {"size": -(-size // (1024 * 1024)), "limit": limit // (1024 * 1024)},
        )
    _media(CDR_DIR).mkdir(parents=True, exist_ok=True)
    relative = f"{CDR_DIR}/{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex}.csv"
    stored = _media(relative)
    with stored.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    with stored.open("rb") as binary:
        fmt, encoding = sniff(binary)
    if encoding == "UTF-16":
        stored.write_text(stored.read_bytes().decode("utf-16", errors="replace"), encoding="utf-8")
    return CdrImport.objects.create(
        store=store,
        created_by=actor,
        filename=name,
        file_path=relative,
        format=fmt,
        encoding=encoding,
        lines_total=_count_lines(stored),
        started_at=timezone.now(),
    )


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with path.open("rb") as binary:
        while chunk := binary.read(CHUNK_SIZE):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def cdr_import_step(
    *,
    imp: CdrImport,
    actor,
    step_lines: int | None = None,
    window: timedelta | None = None,
    chunk_size: int | None = None,
):
    """Import the next `step_lines` (STEP_LINES) lines of a stored file, to the end of the block they end in.

    Each step reads only its own part: it seeks to the line end where the last one stopped
    (``bytes_read``, line number ``rows_read``), decodes in the encoding found so far and goes on
    merging the legs of the calls the last step left open (``resume_state``). The part's calls, the
    counts and where the next step goes on are saved in one transaction, so a step interrupted
    half-way leaves the import as the last step left it, and the page (closed and opened again)
    goes on from there. Read in steps, a file gives what cdr_import_file gives reading it at once.
    """
    try:
        with transaction.atomic():
            imp = CdrImport.objects.select_for_update().get(pk=imp.pk)
            if imp.state != State.RUNNING:
                return imp
            if imp.rows_read and not imp.bytes_read:
                # Begun by a version whose steps read the file from its start each time: begin again,
                # counting afresh (its calls are found already present; nothing is added twice).
                imp.rows_read = imp.records_done = imp.bad_rows = imp.promises_made = 0
                imp.calls_created = imp.calls_existing = 0
                imp.errors = []
            ctx = ImportContext(imp.store, actor, timezone.now(), window)
            state = imp.resume_state or {}
            errors = BadLines(imp, last_line=state.get("last_line", 0))
            merger = LegMerger(frozenset(ctx.staff), state=state.get("merge"))
            with _media(imp.file_path).open("rb") as stored:
                reader = CdrReader(
                    stored,
                    offset=imp.bytes_read,
                    line=imp.rows_read,
                    codec=state.get("codec"),
                    head=state.get("head"),
                    stop_after=step_lines or STEP_LINES,
                    chunk_size=chunk_size or CHUNK_SIZE,
                )
                records_run(imp, ctx, _step_records(reader, merger, errors))
            done = not reader.stopped
            imp.bytes_read = reader.offset
            if done:
                imp.rows_read = imp.lines_total = errors.last_line
                imp.resume_state = {}
                import_finish(imp, State.DONE)
            else:
                imp.rows_read = reader.line
                imp.resume_state = {
                    "codec": reader.codec,
                    "head": list(reader.head or ()),
                    "last_line": errors.last_line,
                    "merge": merger.state(),
                }
                imp.save()
    except Exception as exc:  # the step was rolled back; the import says so instead of a server error
        return import_failed(CdrImport.objects.get(pk=imp.pk), exc)
    if done:
        _media(imp.file_path).unlink(missing_ok=True)
        imp.file_path = ""
        imp.save(update_fields=["file_path"])
    return imp


def _step_records(reader: CdrReader, merger: LegMerger, errors: BadLines) -> Iterator[CallRecord]:
    """The calls a step's part of the file completes; at the end of the file, the ones still open too."""
    yield from merger.feed(errors.rows(reader))
    if not reader.stopped:
        yield from merger.finish()
