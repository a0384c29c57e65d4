"""Attendance exports for the tests (S1.D1a), made in the test: DingTalk-like workbooks and CSV files."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADER = ["姓名", "工号", "部门", "日期", "上班打卡", "下班打卡"]


def csv_bytes(rows: list[list[str]], *, title=True, encoding="utf-8") -> bytes:
    lines = []
    if title:
        lines += ["月度汇总 统计日期：2026-11-01 至 2026-11-30", "报表生成时间：2026-12-01 09:00"]
    lines += [",".join(HEADER)] + [",".join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def csv_upload(rows, *, name="钉钉考勤.csv", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, **options), content_type="text/csv")


def dingtalk_xlsx(rows: list[list], *, merged=True) -> bytes:
    """A DingTalk daily report: two title rows, then a header of two rows where 上班1 and 下班1 are merged over
    their 打卡时间 and 打卡结果 columns (and 姓名… over two rows), then the data."""
    wb = Workbook()
    ws = wb.active
    ws.append(["每日统计 统计日期：2026-11-01 至 2026-11-30"])
    ws.merge_cells("A1:H1")
    ws.append(["报表生成时间：2026-12-01 09:00"])
    if merged:
        ws.append(["姓名", "工号", "部门", "日期", "上班1", None, "下班1", None])
        ws.append([None, None, None, None, "打卡时间", "打卡结果", "打卡时间", "打卡结果"])
        ws.merge_cells("E3:F3")
        ws.merge_cells("G3:H3")
        for col in "ABCD":
            ws.merge_cells(f"{col}3:{col}4")
    else:
        ws.append(["姓名", "工号", "部门", "日期", "上班1打卡时间", "上班1打卡结果", "下班1打卡时间", "下班1打卡结果"])
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_upload(rows, *, name="钉钉考勤.xlsx", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, dingtalk_xlsx(rows, **options))
