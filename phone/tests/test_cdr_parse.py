"""Call-record parsers: Asterisk Master.csv and FreePBX/Issabel exports, legs merged into calls (no database)."""

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from phone.cdr.decode import decode_stream
from phone.cdr.legs import ANSWERED, BUSY, CONGESTION, FAILED, NO_ANSWER, CdrError, CdrRow, split_clid
from phone.cdr.merge import classify, merge_legs
from phone.cdr.parse import detect_format, parse
from tests.clock import at

DATA = Path(__file__).parent / "data"
SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF = {"8011", "8012", "8013"}
HEADER = (
    "calldate,clid,src,dst,dcontext,channel,dstchannel,lastapp,lastdata,duration,billsec,disposition,"
    "amaflags,accountcode,uniqueid,userfield,did,recordingfile,cnum,cnam,outbound_cnum,outbound_cnam,"
    "dst_cnam,linkedid,peeraccount,sequence"
).split(",")


@pytest.fixture(autouse=True)
def _english():
    """Reasons are checked in English, the msgid language (zh_Hans is the site default)."""
    with translation.override("en"):
        yield


def read(data: bytes, **kwargs) -> list:
    return list(parse(io.BytesIO(data), **kwargs))


def freepbx(*rows: dict, header=HEADER) -> bytes:
    """A FreePBX export: the header row, then one line per dict (missing columns empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])
    return out.getvalue().encode()


def fp_row(**fields) -> dict:
    """An inbound call answered by 8011 after 6 s of ringing, as a FreePBX export row."""
    row = {
        "calldate": "2024-05-31 09:00:00",
        "clid": '"张三" <13812345678>',
        "src": "13812345678",
        "dst": "8011",
        "dcontext": "from-did-direct",
        "channel": "PJSIP/ct-trunk-00000001",
        "dstchannel": "PJSIP/8011-00000002",
        "lastapp": "Dial",
        "duration": "36",
        "billsec": "30",
        "disposition": "ANSWERED",
        "uniqueid": "1717117200.1",
        "linkedid": "1717117200.1",
    }
    row.update(fields)
    return row


def leg(**fields) -> CdrRow:
    """A CdrRow built by hand: an inbound leg from a trunk to 8011."""
    values = {
        "line": 1,
        "src": "13812345678",
        "dst": "8011",
        "clid_name": "",
        "clid_number": "13812345678",
        "channel": "PJSIP/ct-trunk-00000001",
        "dstchannel": "PJSIP/8011-00000002",
        "dcontext": "from-did-direct",
        "lastapp": "Dial",
        "start": at("2024-05-31 09:00:00"),
        "answer": None,
        "end": at("2024-05-31 09:00:30"),
        "duration": 30,
        "billsec": 0,
        "disposition": NO_ANSWER,
        "uniqueid": "1717117200.1",
        "linkedid": "1717117200.1",
        "userfield": "",
        "accountcode": "",
        "did": "",
        "ring_seconds": 30,
        "missed": True,
    }
    values.update(fields)
    return CdrRow(**values)


# --- Formats and encodings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("calldate,clid,src,dst,dcontext,channel", "freepbx"),
        ('\ufeff"calldate","clid","src","dst"', "freepbx"),
        ("CallDate;Src;Dst;Duration", "freepbx"),
        ("id\tcalldate\tclid\tsrc", "freepbx"),
        (b"\xef\xbb\xbfcalldate,src", "freepbx"),
        ('"","13812345678","8011","from-trunk","""x"" <1>","SIP/a-1","","Dial","","2024-05-31 09:00:00"', "asterisk"),
        ("", "asterisk"),
    ],
)
def test_format_is_freepbx_only_for_a_header_row_with_calldate(first_line, expected):
    assert detect_format(first_line) == expected


def test_master_csv_rows_of_16_17_and_18_columns_are_read():
    rows = read((DATA / "asterisk_master.csv").read_bytes())

    assert [type(row) for row in rows] == [CdrRow] * 4
    first, no_answer, outbound, busy = rows
    assert (first.line, first.src, first.dst) == (1, "13812345678", "8011")
    assert (first.clid_name, first.clid_number) == ("张三", "13812345678")
    assert (first.channel, first.dstchannel, first.dcontext, first.lastapp) == (
        "SIP/ct-trunk-00000001",
        "SIP/8011-00000002",
        "from-trunk",
        "Dial",
    )
    assert first.start == at("2024-05-31 09:00:00")
    assert first.start.tzinfo == SHANGHAI
    assert first.answer == at("2024-05-31 09:00:06")
    assert first.end == at("2024-05-31 09:03:06")
    assert (first.duration, first.billsec, first.ring_seconds) == (186, 180, 6)
    assert (first.disposition, first.missed) == (ANSWERED, False)
    # 16 columns: no uniqueid; the caller's channel and start make a stable key instead.
    assert first.uniqueid == ""
    assert first.linkedid.startswith("csv-")

    assert no_answer.answer is None  # written empty by Asterisk
    assert (no_answer.disposition, no_answer.missed, no_answer.ring_seconds) == (NO_ANSWER, True, 20)
    assert no_answer.uniqueid == no_answer.linkedid == "1717117800.5"

    assert (outbound.accountcode, outbound.userfield, outbound.uniqueid) == ("store1", "vip", "1717118400.7")
    assert (outbound.clid_name, outbound.clid_number) == ("王五", "8011")
    assert (busy.disposition, busy.missed, busy.clid_name, busy.clid_number) == (BUSY, True, "", "13700002222")


def test_master_csv_with_newcdrcolumns_reads_the_linkedid():
    line = (
        '"","13812345678","8011","from-trunk","""张三"" <13812345678>","SIP/ct-trunk-00000001",'
        '"SIP/8011-00000002","Dial","SIP/8011,30","2024-05-31 09:00:00","2024-05-31 09:00:06",'
        '"2024-05-31 09:03:06",186,180,"ANSWERED","DOCUMENTATION","1717117205.3","","","1717117200.1",7\n'
    )

    (row,) = read(line.encode())

    assert (row.uniqueid, row.linkedid) == ("1717117205.3", "1717117200.1")


def test_times_are_read_in_the_phone_systems_time_zone():
    (row,) = read((DATA / "asterisk_master.csv").read_bytes().splitlines(keepends=True)[0], tz=UTC)

    assert row.start == datetime(2024, 5, 31, 9, 0, tzinfo=UTC)


def test_freepbx_export_with_a_header_and_extra_columns_is_read():
    rows = read((DATA / "freepbx_export.csv").read_bytes())

    assert [row.line for row in rows] == [2, 3, 4, 5, 6, 7]
    assert all(type(row) is CdrRow for row in rows)
    local_half = rows[0]
    assert (local_half.channel, local_half.dstchannel) == ("Local/8012@from-queue-00000012;2", "PJSIP/8012-00000013")
    assert local_half.start == at("2024-05-31 10:00:05")
    # No answer column: answer = calldate + (duration - billsec).
    assert local_half.answer == at("2024-05-31 10:00:20")
    assert local_half.end == at("2024-05-31 10:00:45")
    assert (local_half.uniqueid, local_half.linkedid, local_half.did) == (
        "1717120005.103",
        "1717120000.100",
        "02155550100",
    )
    assert rows[1].answer is None
    assert rows[1].ring_seconds == 45
    # An empty clid falls back to cnam/cnum; an empty linkedid to the uniqueid.
    busy = rows[5]
    assert (busy.clid_name, busy.clid_number, busy.linkedid) == ("王五", "13700002222", "1717121200.130")


def test_freepbx_export_with_a_bom_semicolons_and_null_linkedid_is_read():
    text = "\ufeffcalldate;src;dst;channel;dstchannel;duration;billsec;disposition;uniqueid;linkedid\r\n"
    text += "2024-05-31 09:00:00;13812345678;8011;PJSIP/ct-trunk-1;PJSIP/8011-2;20;10;answered;1717117200.1;NULL\r\n"

    (row,) = read(text.encode("utf-8"))

    assert (row.line, row.disposition, row.linkedid, row.ring_seconds) == (2, ANSWERED, "1717117200.1", 10)


def test_gbk_file_with_chinese_caller_names_is_read():
    data = (DATA / "asterisk_master.csv").read_text(encoding="utf-8").encode("gbk")
    text = decode_stream(io.BytesIO(data))

    lines = list(text)
    rows = read(data)

    assert text.encoding == "GBK"
    assert '"""张三"" <13812345678>"' in lines[0]
    assert [row.clid_name for row in rows] == ["张三", "李四", "王五", ""]


def test_gbk_freepbx_export_is_read():
    data = freepbx(fp_row(clid='"李四" <13900001111>'), fp_row(clid="", cnam="王五", cnum="13700002222")).decode()

    rows = read(data.encode("gbk"))

    assert [(row.clid_name, row.clid_number) for row in rows] == [("李四", "13900001111"), ("王五", "13700002222")]


def test_encoding_is_decided_by_the_first_non_ascii_block():
    ascii_lines = b"".join(b"line %d\n" % number for number in range(50))
    data = ascii_lines + "张三\n赵六\n".encode("gbk") + ascii_lines + "李四".encode("gbk")

    text = decode_stream(io.BytesIO(data), chunk_size=64)  # the Chinese comes several blocks in
    lines = list(text)

    assert text.encoding == "GBK"
    assert lines[:2] == ["line 0", "line 1"]
    assert lines[50:53] == ["张三", "赵六", "line 0"]
    assert lines[102:] == ["李四"]  # the last line has no line end


def test_a_stray_line_in_another_encoding_or_in_none_is_kept():
    ascii_lines = b"".join(b"line %d\n" % number for number in range(50))
    data = "张三\n".encode() + ascii_lines + "李四\n".encode("gbk") + b"\xff\xfe\xfa\n" + "王五\n".encode()

    text = decode_stream(io.BytesIO(data), chunk_size=64)
    lines = list(text)

    assert text.encoding == "UTF-8"
    assert lines[0] == "张三"
    assert lines[51] == "李四"  # a GBK line in a UTF-8 file
    assert "\ufffd" in lines[52]  # neither UTF-8 nor GBK: replaced, the line is kept
    assert lines[53:] == ["王五"]


def test_utf8_with_and_without_bom_and_utf16_are_read():
    text = "calldate,src,dst,dstchannel,duration,billsec,disposition,uniqueid,clid\n"
    text += '2024-05-31 09:00:00,13812345678,8011,PJSIP/8011-2,20,10,ANSWERED,1717117200.1,"""张三"" <13812345678>"\n'

    for data in (text.encode("utf-8"), text.encode("utf-8-sig"), text.encode("utf-16")):
        (row,) = read(data)
        assert (row.line, row.clid_name) == (2, "张三")


@pytest.mark.parametrize(
    ("clid", "expected"),
    [
        ('"张三" <13812345678>', ("张三", "13812345678")),
        ("张三 <13812345678>", ("张三", "13812345678")),
        ('"" <8011>', ("", "8011")),
        ("13812345678", ("", "13812345678")),
        ("+8613812345678", ("", "+8613812345678")),
        ("Anonymous", ("Anonymous", "")),
        ("", ("", "")),
    ],
)
def test_caller_id_is_split_into_name_and_number(clid, expected):
    assert split_clid(clid) == expected


def test_dates_resaved_by_excel_are_read():
    (row,) = read(freepbx(fp_row(calldate="2024/5/31 9:00")))

    assert row.start == at("2024-05-31 09:00:00")


# --- Bad rows -----------------------------------------------------------------------------------


def test_bad_rows_are_listed_with_line_and_reason_and_the_others_read():
    data = freepbx(
        fp_row(uniqueid="1.1"),  # line 2: good
        fp_row(calldate="31/05/2024 09:00"),  # 3
        fp_row(calldate=""),  # 4
        fp_row(duration="-5"),  # 5
        fp_row(billsec="12.5"),  # 6
        fp_row(duration="10", billsec="30"),  # 7
        fp_row(disposition="HUNG UP"),  # 8
        fp_row(uniqueid=""),  # 9
        fp_row(uniqueid="1.2"),  # 10: good
    )
    data += b"2024-05-31 09:00:00,too,few\r\n"  # line 11
    data += b'2024-05-31 09:00:00,"open quote,13812345678,8011\r\n'  # line 12
    data += freepbx(fp_row(uniqueid="1.3")).split(b"\r\n", 1)[1]  # line 13: good, not swallowed by line 12

    rows = read(data)

    good = [row for row in rows if type(row) is CdrRow]
    errors = [(row.line, row.reason) for row in rows if type(row) is CdrError]
    assert [(row.line, row.uniqueid) for row in good] == [(2, "1.1"), (10, "1.2"), (13, "1.3")]
    assert errors == [
        (3, "31/05/2024 09:00 in calldate is not a date and time such as 2024-05-31 14:03:00."),
        (4, "The calldate time is empty."),
        (5, "duration is negative (-5)."),
        (6, "12.5 in billsec is not a whole number of seconds."),
        (7, "billsec (30 s) is longer than duration (10 s)."),
        (8, "Unknown disposition HUNG UP: expected ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION."),
        (9, "The uniqueid is empty."),
        (11, "The line has 3 columns; the header row has 26."),
        (12, "The line cannot be read as CSV: check its quotes and separators."),
    ]


def test_bad_master_csv_rows_are_listed_with_line_and_reason():
    good = (DATA / "asterisk_master.csv").read_bytes().splitlines(keepends=True)
    no_uniqueid = good[1].replace(b',"1717117800.5"', b',""')
    bad_answer = good[2].replace(b'"2024-05-31 09:20:10"', b'"yesterday"')
    data = good[0] + b'"a","b","c"\n' + no_uniqueid + bad_answer + b"\n" + good[3]

    rows = read(data)

    assert [(row.line, row.reason) for row in rows if type(row) is CdrError] == [
        (2, "The line has 3 columns; Asterisk Master.csv lines have 16 to 21."),
        (3, "The uniqueid is empty."),
        (4, "yesterday in answer is not a date and time such as 2024-05-31 14:03:00."),
    ]
    assert [row.line for row in rows if type(row) is CdrRow] == [1, 6]  # line 5 is blank


def test_a_header_without_the_needed_columns_is_one_error():
    rows = read(b"calldate,clid,src\n2024-05-31 09:00:00,x,y\n")

    assert [(row.line, row.reason) for row in rows] == [
        (1, "The header row lacks the columns dst, duration, billsec, disposition.")
    ]


def test_billsec_one_second_over_duration_is_asterisks_rounding_not_an_error():
    """cdr.conf initiatedseconds=yes rounds billsec up but not duration."""
    (row,) = read(freepbx(fp_row(duration="30", billsec="31")))

    assert (row.duration, row.billsec, row.ring_seconds) == (30, 30, 0)


def test_garbage_never_raises():
    noise = random.Random(7).randbytes(20000)

    rows = read(noise) + read(b"calldate\n" + noise) + read(b"") + read(b"\n\n")

    assert all(type(row) is CdrError for row in rows)


# --- Dispositions, legs and calls ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("NO ANSWER", NO_ANSWER),
        ("no answer", NO_ANSWER),
        ("NO_ANSWER", NO_ANSWER),
        ("NOANSWER", NO_ANSWER),
        ("BUSY", BUSY),
        ("Failed", FAILED),
        (" CONGESTION ", CONGESTION),
    ],
)
def test_missed_dispositions_are_normalised_and_missed(written, expected):
    (row,) = read(freepbx(fp_row(disposition=written, duration="25", billsec="0")))

    assert (row.disposition, row.missed, row.answer, row.ring_seconds) == (expected, True, None, 25)
    (call,) = merge_legs([row], STAFF)
    assert (call.disposition, call.missed, call.answered, call.ring_seconds) == (expected, True, False, 25)


def test_queue_ringing_two_extensions_then_one_answering_counts_once():
    rows = read((DATA / "freepbx_export.csv").read_bytes())

    calls = {call.source_key: call for call in merge_legs(rows, STAFF)}

    assert len(calls) == 4  # six lines, four calls
    call = calls["1717120000.100"]
    assert call.lines == [2, 3, 4]
    assert call.start == at("2024-05-31 10:00:00")
    assert call.answer == at("2024-05-31 10:00:20")
    assert (call.ring_seconds, call.talk_seconds) == (20, 25)
    assert (call.answered, call.missed, call.disposition) == (True, False, ANSWERED)
    assert (call.answered_by, call.extension, call.extensions_rung) == ("8012", "8012", ("8011", "8012"))
    assert (call.direction, call.external_number, call.clid_name, call.did) == (
        "in",
        "13812345678",
        "张三",
        "02155550100",
    )


def test_legs_merge_the_same_way_in_any_order():
    rows = read((DATA / "freepbx_export.csv").read_bytes())

    forward = list(merge_legs(rows, STAFF))
    backward = list(merge_legs(reversed(rows), STAFF))

    assert sorted(forward, key=lambda call: call.source_key) == sorted(backward, key=lambda call: call.source_key)


def test_a_call_answered_only_by_a_menu_or_voicemail_is_missed():
    rows = read((DATA / "freepbx_export.csv").read_bytes())

    call = next(call for call in merge_legs(rows, STAFF) if call.source_key == "1717120600.120")

    assert (call.answered, call.missed, call.disposition, call.ring_seconds) == (False, True, NO_ANSWER, 15)
    assert (call.direction, call.extension, call.answered_by) == ("in", "", "")


@pytest.mark.parametrize(
    ("dispositions", "expected"),
    [
        ((BUSY, NO_ANSWER), NO_ANSWER),
        ((CONGESTION, FAILED), FAILED),
        ((CONGESTION, BUSY, FAILED), BUSY),
        ((NO_ANSWER, ANSWERED, BUSY), ANSWERED),
    ],
)
def test_a_call_takes_answered_or_the_most_telling_failure(dispositions, expected):
    legs = [
        leg(
            line=number,
            dstchannel=f"PJSIP/801{number}-0000000{number}",
            disposition=disposition,
            answer=at("2024-05-31 09:00:10") if disposition == ANSWERED else None,
        )
        for number, disposition in enumerate(dispositions, start=1)
    ]

    (call,) = merge_legs(legs, STAFF)

    assert call.disposition == expected
    assert call.missed is (expected != ANSWERED)


def test_an_unanswered_call_rings_from_its_start_to_its_last_legs_end():
    legs = [
        leg(line=1, dstchannel="Local/8011@from-queue-1;1", end=at("2024-05-31 09:00:20")),
        leg(
            line=2,
            dstchannel="Local/8012@from-queue-2;1",
            start=at("2024-05-31 09:00:20"),
            end=at("2024-05-31 09:00:50"),
        ),
    ]

    (call,) = merge_legs(legs, STAFF)

    assert (call.ring_seconds, call.extension, call.extensions_rung) == (50, "8011", ("8011", "8012"))


def test_reimporting_a_file_gives_the_same_keys():
    data = (DATA / "asterisk_master.csv").read_bytes()

    first = [call.source_key for call in merge_legs(read(data), STAFF)]
    again = [call.source_key for call in merge_legs(read(data), STAFF)]

    assert first == again
    assert len(set(first)) == len(first) == 4


def test_calls_are_handed_on_once_the_stream_has_moved_past_them():
    """Memory stays bounded: a call is yielded before the file ends, in either time order."""
    consumed = []

    def stream(rows):
        for row in rows:
            consumed.append(row.line)
            yield row

    rows = [
        leg(line=1, linkedid="a"),
        leg(line=2, linkedid="a", start=at("2024-05-31 09:30:00")),
        leg(line=3, linkedid="b", start=at("2024-05-31 12:00:00")),
        leg(line=4, linkedid="c", start=at("2024-05-31 15:00:00")),
    ]

    calls = merge_legs(stream(rows), STAFF)
    first = next(calls)
    assert (first.source_key, first.lines, consumed) == ("a", [1, 2], [1, 2, 3])
    assert [call.source_key for call in calls] == ["b", "c"]

    consumed.clear()
    calls = merge_legs(stream(reversed(rows)), STAFF)  # an export listing the newest first
    assert (next(calls).source_key, consumed) == ("c", [4, 3])
    assert [call.source_key for call in calls] == ["b", "a"]


def test_errors_in_the_stream_are_skipped_by_merge():
    rows = [CdrError(1, "x"), leg(line=2)]

    assert [call.lines for call in merge_legs(rows, STAFF)] == [[2]]


# --- Direction ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # From a trunk to an extension: inbound.
        ({}, ("in", "13812345678", "8011")),
        ({"dstchannel": "SIP/8011-0000a1b2", "dst": "400"}, ("in", "13812345678", "8011")),
        ({"dstchannel": "Local/8012@from-queue-00000012;1", "dst": "400"}, ("in", "13812345678", "8012")),
        # Ended in a menu: inbound, nobody rung.
        ({"dstchannel": "", "dst": "s"}, ("in", "13812345678", "")),
        # The second half of a queue's Local channel: still the customer's call.
        (
            {"channel": "Local/8012@from-queue-00000012;2", "dstchannel": "PJSIP/8012-00000013", "dst": "8012"},
            ("in", "13812345678", "8012"),
        ),
        # Anonymous caller: the number comes from the caller ID, if any.
        ({"src": "", "clid_number": ""}, ("in", "", "8011")),
        # From an extension to a trunk: outbound.
        (
            {"src": "8011", "dst": "013900001111", "channel": "PJSIP/8011-00000020", "dstchannel": "PJSIP/ct-trunk-21"},
            ("out", "013900001111", "8011"),
        ),
        # An extension known only by its number (a phone with a named peer).
        (
            {"src": "8013", "dst": "013900001111", "channel": "SIP/frontdesk-0001", "dstchannel": "SIP/ct-trunk-2"},
            ("out", "013900001111", "8013"),
        ),
        # Extension to extension: internal.
        (
            {"src": "8011", "dst": "8012", "channel": "PJSIP/8011-1", "dstchannel": "PJSIP/8012-2"},
            ("internal", "", "8011"),
        ),
    ],
)
def test_direction_comes_from_which_side_is_an_extension(fields, expected):
    assert classify(leg(**fields), STAFF) == expected


def test_extension_length_is_configurable_and_short_service_numbers_are_not_extensions():
    to_bank = leg(src="8011", dst="95588", channel="PJSIP/8011-1", dstchannel="PJSIP/ct-trunk-2")
    six_digit = leg(dstchannel="PJSIP/801100-2", dst="801100")

    assert classify(to_bank, STAFF) == ("out", "95588", "8011")
    assert classify(to_bank, set()) == ("internal", "", "8011")  # no list: any 3 to 6 digits count
    assert classify(six_digit, set(), max_length=4) == ("in", "13812345678", "")
    assert classify(six_digit, set(), max_length=6) == ("in", "13812345678", "801100")
    assert classify(leg(dstchannel="DAHDI/1-1", dst=""), set()) == ("in", "13812345678", "")


def test_thousands_of_two_leg_calls_merge_into_one_call_each():
    rows = [fp_row()]
    start = at("2024-05-31 08:00:00")
    for number in range(3000):
        when = start + timedelta(seconds=20 * number)
        uid = f"{1717113600 + number}.{number}"
        rows.append(fp_row(calldate=when.strftime("%Y-%m-%d %H:%M:%S"), uniqueid=uid, linkedid=uid))
        rows.append(
            fp_row(
                calldate=when.strftime("%Y-%m-%d %H:%M:%S"), uniqueid=uid + "1", linkedid=uid, dstchannel="PJSIP/8012-9"
            )
        )

    calls = list(merge_legs(parse(io.BytesIO(freepbx(*rows))), STAFF))

    assert len(calls) == 3001
    assert all(len(call.lines) == 2 for call in calls[1:])


def test_times_beyond_the_calendar_are_bad_rows_not_crashes():
    rows = read(
        freepbx(
            fp_row(calldate="9999-12-31 23:59:59"),
            fp_row(duration="99999999999999999", billsec="0"),
            fp_row(calldate="0001-01-01 00:00:00+08:00"),
        )
    )

    assert [(row.line, row.reason) for row in rows] == [
        (2, "duration is too large (36 s)."),
        (3, "duration is too large (99999999999999999 s)."),
        (4, "0001-01-01 00:00:00+08:00 in calldate is not a date and time such as 2024-05-31 14:03:00."),
    ]
