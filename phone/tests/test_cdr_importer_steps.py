"""The upload page's steps read each part of a call-record file once and give what the command gives (S2.1)."""

import csv
import io
import json
from collections import Counter
from dataclasses import fields as dataclass_fields
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from org.choices import Role
from phone.cdr import importer as cdr_import
from phone.cdr import parse as cdr_parse
from phone.cdr import upload
from phone.cdr.importer import cdr_import_file
from phone.cdr.legs import CdrError, CdrRow
from phone.cdr.merge import LegMerger, merge_legs
from phone.cdr.parse import CdrReader, parse
from phone.cdr.upload import cdr_import_step, cdr_upload
from phone.models import Call, CdrImport
from tests.factories import make_customer, make_user

HEADER = "calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,duration,billsec,disposition,uniqueid,linkedid"
NAMES = ["张三", "李四", "王五", "赵六", "钱七", "孙八"]
STAFF = frozenset({"8011", "8012"})
DCONTEXT = [field.name for field in dataclass_fields(CdrRow)].index("dcontext")  # in a leg kept between steps
BAD = [
    "2024-05-31 25:61:00,x,13800000000,8011,c,PJSIP/ct-trunk-1,PJSIP/8011-2,Dial,10,5,ANSWERED,9.1,9.1",
    "2024-05-31 09:00:00,,8011",
    '"2024-05-31 09:00:00,"unclosed,8011',
    "2024-05-31 09:00:00,x,13800000000,8011,c,a,b,Dial,10,5,RINGING,9.2,9.2",
]
# Columns compared between a file read in steps and read at once (not the id, nor when it was logged).
FIELDS = (
    "source_key",
    "direction",
    "number",
    "number_digits",
    "customer_id",
    "started_at",
    "answered_at",
    "ended_at",
    "ring_seconds",
    "rings",
    "answered_in_time",
    "missed",
    "outcome",
    "answered_by_id",
    "department_id",
    "extension",
    "disposition",
    "duration_seconds",
    "talk_seconds",
)
COUNTS = (
    "format",
    "encoding",
    "state",
    "rows_read",
    "lines_total",
    "records_done",
    "calls_created",
    "calls_existing",
    "promises_made",
    "bad_rows",
    "errors",
)


def export(calls=120, *, bad_at=(), chinese_from=0, blank_at=()) -> tuple[str, list[int]]:
    """A FreePBX export of `calls` calls seven minutes apart (so legs are merged and handed on mid-file).

    Every fourth call is a queue call whose answering half (the Local;2 leg) is written after the next
    call's lines, so its legs lie apart; the others are direct, missed and outgoing calls. Bad lines
    go in at the 1-based line numbers `bad_at` (blank lines at `blank_at`), which are returned.
    Callers' names are Chinese from call `chinese_from` on, plain ASCII before.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines = []
    held = []
    start = datetime(2024, 5, 31, 8, 0, 0)
    for number in range(calls):
        when = start + timedelta(minutes=7 * number)
        at = when.strftime("%Y-%m-%d %H:%M:%S")
        uid = f"{1717113600 + number * 420}.{number}"
        mobile = f"138000001{number % 40:02d}"
        name = NAMES[number % len(NAMES)] if number >= chinese_from else f"Caller {number}"
        clid = f'"{name}" <{mobile}>'
        rows = []
        kind = number % 4
        if kind == 0:
            rows.append([at, clid, mobile, "400", "ext-queues", "PJSIP/t-1", "Local/8011@q-1;1", "Queue", 40, 0])
            rows[-1] += ["NO ANSWER", uid, uid]
            rows.append([at, clid, mobile, "400", "ext-queues", "PJSIP/t-1", "Local/8012@q-2;1", "Queue", 40, 25])
            rows[-1] += ["ANSWERED", uid + "1", uid]
            later = (when + timedelta(seconds=3)).strftime("%Y-%m-%d %H:%M:%S")
            pending = [later, clid, mobile, "8012", "from-queue", "Local/8012@q-2;2", "PJSIP/8012-3", "Dial", 37, 25]
            pending += ["ANSWERED", uid + "2", uid]
        elif kind == 1:
            rows.append([at, clid, mobile, "8011", "from-did", "PJSIP/t-2", "PJSIP/8011-4", "Dial", 36, 30])
            rows[-1] += ["ANSWERED", uid, uid]
        elif kind == 2:
            rows.append([at, clid, mobile, "8013", "from-did", "PJSIP/t-3", "PJSIP/8013-5", "Dial", 12, 0])
            rows[-1] += ["BUSY", uid, uid]
        else:
            rows.append([at, '"8011" <8011>', "8011", "0" + mobile, "from-internal", "PJSIP/8011-6", "PJSIP/t-7"])
            rows[-1] += ["Dial", 50, 20, "ANSWERED", uid, uid]
        for row in rows:
            writer.writerow(row)
        lines.extend(out.getvalue().splitlines())
        out.seek(0)
        out.truncate()
        if kind == 1 and held:
            for row in held:
                writer.writerow(row)
            lines.extend(out.getvalue().splitlines())
            out.seek(0)
            out.truncate()
            held = []
        if kind == 0:
            held = [pending]
    lines.insert(0, HEADER)
    for at_line in sorted([*bad_at, *blank_at]):
        lines.insert(at_line - 1, BAD[at_line % len(BAD)] if at_line in bad_at else "")
    return "\n".join(lines) + "\n", sorted(bad_at)


def master_csv(calls: int) -> bytes:
    """An Asterisk Master.csv (no header row) of missed calls a minute apart, in GBK."""
    line = (
        '"","13812345678","8011","from-trunk","""李四"" <13812345678>","SIP/t-{n}","SIP/8011-{n}","Dial","",'
        '"2024-05-31 09:{n:02d}:00","","2024-05-31 09:{n:02d}:20",20,0,"NO ANSWER","DOCUMENTATION","{n}.1"\n'
    )
    return "".join(line.format(n=n) for n in range(calls)).encode("gbk")


def read_in_parts(data: bytes, stop_after: int, chunk_size: int) -> tuple[list, int]:
    """parse() of `data` in parts that go on from one another as the upload page's steps do."""
    items, parts, state = [], 0, {"offset": 0, "line": 0, "codec": None, "head": None}
    while True:
        parts += 1
        reader = CdrReader(io.BytesIO(data), stop_after=stop_after, chunk_size=chunk_size, **state)
        items.extend(reader)
        if not reader.stopped:
            return items, parts
        state = {"offset": reader.offset, "line": reader.line, "codec": reader.codec, "head": reader.head}


# --- Reading and merging in parts (no database) --------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
@pytest.mark.parametrize(("stop_after", "chunk_size"), [(1, 16), (5, 100), (40, 1000), (7, 1 << 20)])
def test_a_file_read_in_parts_gives_the_rows_read_at_once(encoding, stop_after, chunk_size):
    text, bad = export(60, bad_at=(2, 50, 51, 87), chinese_from=20, blank_at=(30,))
    data = text.encode(encoding)

    whole = list(parse(io.BytesIO(data)))
    parts, count = read_in_parts(data, stop_after, chunk_size)

    assert parts == whole
    assert [item.line for item in whole if isinstance(item, CdrError)] == bad
    assert {row.clid_name for row in whole if isinstance(row, CdrRow)} >= set(NAMES)
    assert count > 1 or chunk_size > len(data)


def test_a_master_csv_read_in_parts_gives_the_rows_read_at_once():
    data = master_csv(40)

    parts, count = read_in_parts(data, 3, 200)

    assert parts == list(parse(io.BytesIO(data))) and count > 5
    assert [row.line for row in parts] == list(range(1, 41)) and parts[-1].clid_name == "李四"


@pytest.mark.parametrize("kind", ["freepbx", "asterisk"])
def test_blank_lines_before_the_first_record_may_fill_whole_parts(kind):
    data = b"\r\n" * 30 + (export(10)[0].encode() if kind == "freepbx" else master_csv(10))

    parts, count = read_in_parts(data, 2, 8)

    assert parts == list(parse(io.BytesIO(data))) and parts[0].line in (31, 32) and count > 10


def test_a_reading_stops_only_at_a_line_end_and_says_where_it_stopped():
    data = export(5)[0].encode("gbk")

    reader = CdrReader(io.BytesIO(data), stop_after=3, chunk_size=50)
    rows = list(reader)

    assert reader.stopped and 3 <= reader.line < 5 and data[reader.offset - 1 : reader.offset] == b"\n"
    assert reader.line == data[: reader.offset].count(b"\n") == rows[-1].line and reader.codec == "gb18030"
    assert reader.head == (HEADER, 1)


def test_open_calls_kept_between_parts_merge_as_if_never_interrupted():
    rows = [row for row in parse(io.BytesIO(export(80)[0].encode())) if isinstance(row, CdrRow)]
    whole = list(merge_legs(rows, STAFF))

    merged, state = [], None
    for start in range(0, len(rows), 9):
        merger = LegMerger(STAFF, state=state)
        merged.extend(merger.feed(rows[start : start + 9]))
        state = json.loads(json.dumps(merger.state()))  # as the import row keeps it
        assert state["open"]  # some calls are open at every pause
    merged.extend(LegMerger(STAFF, state=state).finish())

    assert merged == whole
    assert sum(len(call.lines) == 3 for call in whole) == 20  # the queue calls: three legs, apart


# --- The upload page's steps --------------------------------------------------------------------


@pytest.fixture
def desk(world):
    """A second desk person at extension 8012 of store A (staff A is 8011), and a few known callers."""
    for number in range(5):
        make_customer(world.a.store, name=f"客户{number}", mobile=f"138000001{number:02d}")
    return make_user("staff1b", role=Role.STAFF, store=world.a.store, department=world.a.cs, extension="8012")


def _snapshot(store) -> list[tuple]:
    return list(Call.objects.filter(store=store).order_by("source_key", "started_at", "id").values_list(*FIELDS))


def _counts(imp: CdrImport) -> dict:
    return {name: getattr(imp, name) for name in COUNTS}


def _by_command(world, data: bytes) -> tuple[dict, list[tuple]]:
    """What cdr_import_file (the command's and the API's path) makes of the file; the calls are removed again."""
    imp = cdr_import_file(store=world.a.store, actor=world.a.manager, binary_file=io.BytesIO(data), filename="c.csv")
    calls = _snapshot(world.a.store)
    Call.objects.filter(store=world.a.store).delete()
    return _counts(imp), calls


def _upload(world, data: bytes) -> CdrImport:
    uploaded = SimpleUploadedFile("cdr_parse.csv", data)
    return cdr_upload(store=world.a.store, actor=world.a.manager, uploaded=uploaded)


def _by_steps(world, data: bytes, imp=None, **size) -> tuple[CdrImport, int]:
    imp = imp or _upload(world, data)
    steps = 0
    while imp.is_running:
        imp = cdr_import_step(imp=imp, actor=world.a.manager, **size)
        steps += 1
    return imp, steps


def test_a_file_imported_in_many_steps_gives_what_the_command_gives(world, desk, monkeypatch):
    """S2.1: the same calls, ring times, answering people and counts; every line is parsed once."""
    text, bad = export(160, bad_at=(5, 77, 78, 200))
    data = text.encode()
    counts, calls = _by_command(world, data)
    parsed = Counter()
    csv_lines = cdr_parse._csv_lines

    def counted(lines, first_number, delimiter):
        for number, fields in csv_lines(lines, first_number, delimiter):
            parsed[number] += 1
            yield number, fields

    monkeypatch.setattr(cdr_parse, "_csv_lines", counted)

    imp, steps, split = _upload(world, data), 0, 0
    while imp.is_running:
        imp = cdr_import_step(imp=imp, actor=world.a.manager, step_lines=25, chunk_size=512)
        steps += 1
        open_calls = imp.resume_state.get("merge", {}).get("open", [])
        split += any(len(legs) < 3 and legs[0][DCONTEXT] == "ext-queues" for legs in open_calls)

    assert split > 3  # steps that stopped between the legs of a queue call
    assert steps > 8 and imp.state == CdrImport.State.DONE and imp.file_path == "" and imp.resume_state == {}
    assert _counts(imp) == counts and _snapshot(world.a.store) == calls
    assert counts["calls_created"] == 160 and [error["line"] for error in imp.errors] == bad
    assert set(parsed.values()) == {1} and len(parsed) == text.count("\n") - 1  # all but the header, once
    assert imp.bytes_read == len(data)
    assert Call.objects.filter(store=world.a.store, answered_by=desk).count() == 40  # the queue calls


def test_bad_lines_are_numbered_right_on_both_sides_of_a_step_boundary(world, desk):
    text, _bad = export(30)
    data = text.encode()
    probe = _upload(world, data)
    probe = cdr_import_step(imp=probe, actor=world.a.manager, step_lines=10, chunk_size=64)
    boundary = probe.rows_read  # the last line of the first step
    assert probe.is_running and 10 <= boundary < 20
    CdrImport.objects.all().delete()
    text, bad = export(30, bad_at=(boundary - 1, boundary, boundary + 1, boundary + 2))
    data = text.encode()
    counts, calls = _by_command(world, data)

    imp, _steps = _by_steps(world, data, step_lines=10, chunk_size=64)

    assert [error["line"] for error in imp.errors] == bad == [boundary - 1, boundary, boundary + 1, boundary + 2]
    assert _counts(imp) == counts and _snapshot(world.a.store) == calls


def test_a_gbk_file_read_across_steps_keeps_its_encoding(world, desk):
    """The Chinese comes only after the first steps: the encoding found then is kept for the next ones."""
    text, bad = export(100, bad_at=(150,), chinese_from=40)
    data = text.encode("gbk")
    counts, calls = _by_command(world, data)
    imp = _upload(world, data)
    codecs = []
    while imp.is_running:
        imp = cdr_import_step(imp=imp, actor=world.a.manager, step_lines=15, chunk_size=256)
        codecs.append(imp.resume_state.get("codec", "end"))

    assert codecs[0] is None and "gb18030" in codecs and codecs[-1] == "end"
    assert imp.encoding == "GBK" and _counts(imp) == counts and _snapshot(world.a.store) == calls
    assert [error["line"] for error in imp.errors] == bad


def test_a_utf16_upload_is_stored_as_utf8_and_read_in_steps(world, desk):
    text, _bad = export(40, chinese_from=0)
    data = text.encode("utf-16")
    counts, calls = _by_command(world, data)

    imp = _upload(world, data)
    assert imp.encoding == "UTF-16" and imp.lines_total == text.count("\n")
    imp, steps = _by_steps(world, data, imp, step_lines=10, chunk_size=128)

    assert steps > 3 and _counts(imp) == counts and _snapshot(world.a.store) == calls


def test_a_step_cut_off_half_way_leaves_the_import_as_the_last_step_left_it(world, desk, monkeypatch):
    """A worker killed mid-step writes nothing of that step; the next step does its part, nothing twice."""
    text, _bad = export(120, bad_at=(60,))
    data = text.encode()
    counts, calls = _by_command(world, data)
    imp = _upload(world, data)
    for _step in range(3):
        imp = cdr_import_step(imp=imp, actor=world.a.manager, step_lines=30, chunk_size=256)
    before = _counts(imp) | {"bytes_read": imp.bytes_read, "resume_state": imp.resume_state}
    assert imp.is_running and 0 < imp.calls_created == Call.objects.filter(store=world.a.store).count()
    write = cdr_import._write

    def killed(ctx, rows):
        write(ctx, rows)
        raise KeyboardInterrupt  # not an error the step catches: the process dies here

    monkeypatch.setattr(cdr_import, "_write", killed)
    with pytest.raises(KeyboardInterrupt):
        cdr_import_step(imp=imp, actor=world.a.manager, step_lines=30, chunk_size=256)
    monkeypatch.undo()

    imp.refresh_from_db()
    assert _counts(imp) | {"bytes_read": imp.bytes_read, "resume_state": imp.resume_state} == before
    assert Call.objects.filter(store=world.a.store).count() == imp.calls_created
    imp, _steps = _by_steps(world, data, imp, step_lines=30, chunk_size=256)
    assert _counts(imp) == counts and _snapshot(world.a.store) == calls and imp.calls_existing == 0


def test_the_page_closed_half_way_goes_on_where_it_stopped(client, world, desk, monkeypatch):
    """The page's own steps (htmx), the page left after two of them and opened again later."""
    monkeypatch.setattr(upload, "STEP_LINES", 20)
    monkeypatch.setattr(upload, "CHUNK_SIZE", 300)
    text, _bad = export(90, bad_at=(33, 100))
    data = text.encode()
    counts, calls = _by_command(world, data)
    client.force_login(world.a.manager)
    uploaded = SimpleUploadedFile("cdr_parse.csv", data)
    page = client.post(reverse("phone:cdr_import_start"), {"store": world.a.store.pk, "file": uploaded})
    imp = CdrImport.objects.get(calls_created=0, state="running")
    step = reverse("phone:cdr_import_step", kwargs={"cdr_pk": imp.pk})
    for _step in range(2):
        progress = client.post(step, headers={"HX-Request": "true"})
        assert progress.status_code == 200 and b'data-testid="cdr-progress"' in progress.content
    imp.refresh_from_db()
    assert imp.is_running and 0 < imp.percent < 100 and imp.errors == [{"line": 33, "reason": imp.errors[0]["reason"]}]

    client.logout()
    client.force_login(world.a.manager)  # back the next day
    again = client.get(page["Location"])
    assert again.status_code == 200 and b'data-testid="cdr-progress"' in again.content
    for _step in range(100):
        response = client.post(step, headers={"HX-Request": "true"})
        if "HX-Redirect" in response:
            break
    imp.refresh_from_db()
    assert _counts(imp) == counts and _snapshot(world.a.store) == calls
    assert b'data-testid="cdr-counts"' in client.get(page["Location"]).content


def test_an_import_begun_by_steps_that_read_from_the_start_begins_again(world, desk):
    """Steps used to read the file from its start every time: such an import, part-way, begins again."""
    text, _bad = export(50, bad_at=(20,))
    data = text.encode()
    counts, calls = _by_command(world, data)
    imp = _upload(world, data)
    CdrImport.objects.filter(pk=imp.pk).update(rows_read=40, records_done=25, calls_created=25, bad_rows=1)
    imp.refresh_from_db()

    imp, _steps = _by_steps(world, data, imp, step_lines=10, chunk_size=100)

    assert _counts(imp) == counts and _snapshot(world.a.store) == calls


def test_importing_the_same_file_again_in_steps_adds_nothing_twice(world, desk):
    data = export(60)[0].encode()

    first, _steps = _by_steps(world, data, step_lines=12, chunk_size=200)
    again, _steps = _by_steps(world, data, step_lines=7, chunk_size=100)

    assert first.calls_created == 60 == Call.objects.filter(store=world.a.store).count()
    assert (again.calls_created, again.calls_existing) == (0, 60)
