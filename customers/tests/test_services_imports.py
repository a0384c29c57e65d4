"""Import of customers and vehicles from another dealer system's export (.xlsx / .csv)."""

from datetime import date, datetime
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.models import HistoryAction, HistoryEntry
from core.validators import vin_check_digit
from customers import selectors
from customers.imports import columns, reading
from customers.models import Customer, ImportJob, Vehicle
from customers.services import imports
from tests.factories import make_customer, make_vehicle

State = ImportJob.State
HEADER = "姓名,手机,车牌,车架号,品牌,车型,购车日期,里程,备注,同意联系"


def vin(serial: str) -> str:
    """A VIN with a correct check digit: 8 characters, the check digit, then 8 more."""
    body = f"LFV2A21K{serial:0>9}"[:17]
    return body[:8] + vin_check_digit(body[:8] + "0" + body[9:]) + body[9:]


def bad_check_vin(serial: str) -> str:
    good = vin(serial)
    wrong = "1" if good[8] != "1" else "2"
    return good[:8] + wrong + good[9:]


def csv_upload(lines: list[str], name="export.csv", encoding="utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding), content_type="text/csv")


def xlsx_upload(rows: list[list], name="export.xlsx") -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(world, uploaded, user=None):
    return imports.import_upload(actor=user or world.a.manager, store=world.a.store, uploaded=uploaded)


def check(job, user, **mapping_options):
    job = imports.import_set_mapping(job=job, actor=user, mapping=job.mapping, **mapping_options)
    while job.state == State.VALIDATING:
        job = imports.import_validate_step(job=job, actor=user)
    return job


def errors_of(job) -> set[tuple[int, str]]:
    return {(e["row"], e["field"]) for e in job.errors}


GOOD = [
    HEADER,
    f'张三,138 1234 5678,京A12345,{vin("1")},丰田,凯美瑞,2021/3/5,"12,345",老客户,是',
    "张三,13812345678,京b·23456,,丰田,RAV4,2022年1月2日,8000,,是",
    "李四,+86 139 0000 1111,粤B12345,,本田,雅阁,,,,否",
    "王五,13700002222,,,,,,,只有客户,",
]


def test_good_csv_imports_customers_with_their_vehicles_and_history(world):
    user = world.a.manager
    job = upload(world, csv_upload(GOOD))
    assert job.encoding == "UTF-8" and job.total_rows == 4
    job = check(job, user)
    assert job.state == State.VALIDATED and job.errors == [] and job.valid_rows == 4
    assert job.work == {"new_customers": 3, "vehicles": 3}
    assert not Customer.objects.exists(), "checking writes nothing"
    job = imports.import_run(job=job, actor=user, valid_only=False)
    assert job.state == State.DONE
    assert (job.imported_customers, job.imported_vehicles) == (3, 3)
    zhang = Customer.objects.get(name="张三")
    assert zhang.store == world.a.store and zhang.mobile == "+8613812345678"
    assert zhang.name_initials == "zs" and zhang.phone_digits == "13812345678"
    assert zhang.consent_to_contact and zhang.consent_at and zhang.notes == "老客户"
    assert sorted(zhang.vehicles.values_list("plate", flat=True)) == ["京A12345", "京B23456"]
    camry = Vehicle.objects.get(plate="京A12345")
    assert camry.purchase_date == date(2021, 3, 5) and camry.mileage_km == 12345 and camry.vin == vin("1")
    assert Vehicle.objects.get(plate="京B23456").purchase_date == date(2022, 1, 2)
    assert not Customer.objects.get(name="李四").consent_to_contact
    assert Customer.objects.get(name="王五").vehicles.count() == 0
    entries = HistoryEntry.objects.filter(action=HistoryAction.IMPORT)
    assert entries.count() == 6
    entry = entries.get(object_id=zhang.pk, content_type__model="customer")
    assert entry.actor == user and entry.store_id == world.a.store.pk
    assert entry.changes["mobile"] == ["", "138****5678"], "history keeps phone numbers masked"
    assert "export.csv" in entry.note


def test_each_bad_row_is_reported_with_its_row_field_and_reason(world):
    lines = [
        HEADER,
        ",13800000001,京A11111,,,,,,,",  # 2: no name
        "王五,12345,京A22222,,,,,,,",  # 3: not a phone number
        "赵六,13800000003,京I12345,,,,,,,",  # 4: plate with I
        "钱七,13800000004,,LFV2A21K,,,,,,",  # 5: VIN too short
        "孙八,13800000005,京A33333,,,,2099-01-01,,,",  # 6: purchase date in the future
        "周九,13800000006,京A44444,,,,,abc,,",  # 7: mileage not a number
        "吴十,13800000007,,,,,,,,也许",  # 8: consent neither yes nor no
        "郑一,,京A55555,,,,,,,",  # 9: no phone at all
        "冯二,13800000009,,,丰田,,,,,",  # 10: vehicle data without plate or VIN
        f"陈三,13800000010,,{bad_check_vin('2')},,,,,,",  # 11: VIN check digit wrong
        "褚四,13800000011,京A66666,,,,2021-02-30,,,",  # 12: no such date
        "卫五,13800000012,京A77777,,,,,,,",  # 13: valid
    ]
    with translation.override("en"):
        job = check(upload(world, csv_upload(lines)), world.a.manager)
    assert errors_of(job) == {
        (2, "name"),
        (3, "mobile"),
        (4, "plate"),
        (5, "vin"),
        (6, "purchase_date"),
        (7, "mileage_km"),
        (8, "consent_to_contact"),
        (9, "mobile"),
        (10, "plate"),
        (11, "vin"),
        (12, "purchase_date"),
    }
    reasons = {(e["row"], e["field"]): e["reason"] for e in job.errors}
    assert "name" in reasons[(2, "name")]
    assert "I and O" in reasons[(4, "plate")]
    assert "17 characters" in reasons[(5, "vin")]
    assert "future" in reasons[(6, "purchase_date")]
    assert "check digit" in reasons[(11, "vin")]
    assert "也许" in reasons[(8, "consent_to_contact")]
    assert job.valid_rows == 1


def test_wrong_vin_check_digit_is_kept_when_the_user_confirms_it(world):
    user = world.a.manager
    job = check(
        upload(world, csv_upload(["姓名,手机,VIN", f"陈三,13800000010,{bad_check_vin('2')}"])),
        user,
        confirm_vin_check=True,
    )
    assert job.errors == []
    imports.import_run(job=job, actor=user, valid_only=True)
    vehicle = Vehicle.objects.get()
    assert vehicle.vin_check_confirmed_by == user and vehicle.vin_check_confirmed_at


def test_gbk_csv_with_semicolons_is_read(world):
    lines = ["客户姓名;移动电话;车牌号;颜色", "张三;13812345678;京A12345;珍珠白", "李四;13900001111;沪C54321;黑色"]
    job = upload(world, csv_upload(lines, encoding="gbk"))
    assert job.encoding == "GBK"
    assert job.headers == ["客户姓名", "移动电话", "车牌号", "颜色"]
    assert job.mapping == {"name": 0, "mobile": 1, "plate": 2, "colour": 3}
    job = imports.import_run(job=check(job, world.a.manager), actor=world.a.manager, valid_only=False)
    assert job.state == State.DONE
    assert Vehicle.objects.get(plate="京A12345").colour == "珍珠白"
    assert Customer.objects.filter(name="李四").exists()


def test_xlsx_with_numbers_dates_and_an_empty_first_row_is_read(world):
    rows = [
        [],
        ["姓名", "手机号码", "固定电话", "分机", "车牌号码", "车辆识别代号", "购车日期", "行驶里程"],
        ["张三", 13812345678, None, None, "京A12345", vin("3"), datetime(2020, 5, 6), 35000.0],
        [None, None, None, None, None, None, None, None],
        ["李四", None, "010-6789 1234", 808, "京N12345", None, date(2019, 1, 2), 12],
        ["王五", 12345, None, None, None, None, None, None],
        ["赵六", "0755-8888 6666", None, None, None, None, None, None],
    ]
    user = world.a.manager
    job = upload(world, xlsx_upload(rows))
    assert job.file_type == "xlsx" and job.total_rows == 4
    assert job.mapping == {
        "name": 0,
        "mobile": 1,
        "landline": 2,
        "landline_ext": 3,
        "plate": 4,
        "vin": 5,
        "purchase_date": 6,
        "mileage_km": 7,
    }
    assert reading.read_rows(job, 0, 1)[0][1][1] == "13812345678"
    job = check(job, user)
    assert errors_of(job) == {(6, "mobile")}, "row numbers are those Excel shows, empty rows included"
    imports.import_run(job=job, actor=user, valid_only=True)
    zhang = Customer.objects.get(name="张三")
    assert zhang.mobile == "+8613812345678"
    camry = zhang.vehicles.get()
    assert camry.purchase_date == date(2020, 5, 6) and camry.mileage_km == 35000
    li = Customer.objects.get(name="李四")
    assert li.landline == "+861067891234" and li.landline_ext == "808" and li.preferred_contact == "landline"
    zhao = Customer.objects.get(name="赵六")
    assert (zhao.mobile, zhao.landline) == ("", "+8675588886666"), "a landline in the mobile column is a landline"


def test_duplicates_within_the_file_and_against_the_store_are_reported(world):
    owner = make_customer(world.a.store, name="老客户", mobile="13500000000")
    make_vehicle(owner, plate="京A12345", vin=vin("9"))
    make_customer(world.a.store, name="张三", mobile="13812345678")
    other_store = make_customer(world.b.store, name="别店", mobile="13600000000")
    make_vehicle(other_store, plate="京A99999")
    lines = [
        "姓名,手机,车牌,VIN",
        "李四,13900001111,京A12345,",  # 2: plate exists in the store
        f"李四,13900001111,京B11111,{vin('9')}",  # 3: VIN exists in the store
        "王五,13700000000,京C22222,",  # 4: valid
        "赵六,13700000001,京C22222,",  # 5: plate also on row 4
        "张三,13812345678,京D33333,",  # 6: existing customer, same name: gets the vehicle
        "张四,13812345678,京D44444,",  # 7: existing customer's number with another name
        "王六,13700000000,京E55555,",  # 8: row 4's number with another name
        "钱七,13700000002,京A99999,",  # 9: the plate is in store B only: fine
    ]
    with translation.override("en"):
        job = check(upload(world, csv_upload(lines)), world.a.manager)
    assert errors_of(job) == {(2, "plate"), (3, "vin"), (5, "plate"), (7, "name"), (8, "name")}
    reasons = {e["row"]: e["reason"] for e in job.errors}
    assert "row 4" in reasons[5] and "老客户" in reasons[2] and "张三" in reasons[7] and "王五" in reasons[8]
    job = imports.import_run(job=job, actor=world.a.manager, valid_only=True)
    assert job.state == State.DONE and (job.imported_customers, job.imported_vehicles) == (2, 3)
    zhang = Customer.objects.get(name="张三")
    assert list(zhang.vehicles.values_list("plate", flat=True)) == ["京D33333"]
    assert Customer.objects.filter(store=world.a.store, mobile="+8613812345678").count() == 1


def test_all_or_nothing_imports_nothing_when_a_row_is_invalid(world):
    lines = [*GOOD, "坏行,12345,京A00001,,,,,,,"]
    job = check(upload(world, csv_upload(lines)), world.a.manager)
    job = imports.import_run(job=job, actor=world.a.manager, valid_only=False)
    assert job.state == State.CANCELLED
    assert not Customer.objects.exists() and not Vehicle.objects.exists() and not HistoryEntry.objects.exists()
    assert errors_of(job) == {(6, "mobile")}


def test_valid_only_imports_the_valid_rows_and_lists_the_others(world):
    lines = [*GOOD, "坏行,12345,京A00001,,,,,,,"]
    job = check(upload(world, csv_upload(lines)), world.a.manager)
    job = imports.import_run(job=job, actor=world.a.manager, valid_only=True)
    assert job.state == State.DONE and (job.imported_customers, job.imported_vehicles) == (3, 3)
    assert errors_of(job) == {(6, "mobile")}
    assert not Customer.objects.filter(name="坏行").exists()


def test_a_plate_saved_between_check_and_import_goes_to_the_error_list(world):
    job = check(upload(world, csv_upload(GOOD)), world.a.manager)
    make_vehicle(make_customer(world.a.store, name="抢先", mobile="13511112222"), plate="粤B12345")
    job = imports.import_run(job=job, actor=world.a.manager, valid_only=True)
    assert job.state == State.DONE and errors_of(job) == {(4, "plate")}
    assert not Customer.objects.filter(name="李四").exists(), "the refused row wrote nothing"
    assert Vehicle.objects.filter(plate="粤B12345").count() == 1


def test_all_or_nothing_undoes_everything_when_a_row_is_refused_at_write_time(world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    job = check(upload(world, csv_upload(GOOD)), world.a.manager)
    make_vehicle(make_customer(world.a.store, name="抢先", mobile="13511112222"), plate="粤B12345")
    job = imports.import_run(job=job, actor=world.a.manager, valid_only=False)
    assert job.state == State.CANCELLED and errors_of(job) == {(4, "plate")}
    assert Customer.objects.count() == 1 and Vehicle.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [
                "客户姓名",
                "手机号",
                "座机",
                "分机",
                "车牌号",
                "车架号",
                "品牌",
                "车型",
                "颜色",
                "购买日期",
                "里程",
                "备注",
                "同意联系",
            ],
            {
                "name": 0,
                "mobile": 1,
                "landline": 2,
                "landline_ext": 3,
                "plate": 4,
                "vin": 5,
                "brand": 6,
                "model": 7,
                "colour": 8,
                "purchase_date": 9,
                "mileage_km": 10,
                "notes": 11,
                "consent_to_contact": 12,
            },
        ),
        (
            ["Name", "Mobile", "Landline", "Plate", "VIN", "Make", "Model", "Color", "Purchase Date", "Mileage (km)"],
            {
                "name": 0,
                "mobile": 1,
                "landline": 2,
                "plate": 3,
                "vin": 4,
                "brand": 5,
                "model": 6,
                "colour": 7,
                "purchase_date": 8,
                "mileage_km": 9,
            },
        ),
        (
            ["序号", "车主姓名", "车主手机", "住宅电话", "电话分机", "VIN码", "表显里程(公里)", "客户等级"],
            {"name": 1, "mobile": 2, "landline": 3, "landline_ext": 4, "vin": 5, "mileage_km": 6},
        ),
        (["*姓名", "移动电话", "移动电话"], {"name": 0, "mobile": 1}),
        (["a", "b", ""], {}),
    ],
)
def test_mapping_is_guessed_from_chinese_and_english_header_names(headers, expected):
    assert columns.guess_mapping(headers) == expected


def test_the_mapping_needs_a_name_and_a_phone_column_each_column_once(world):
    job = upload(world, csv_upload(GOOD))
    with pytest.raises(ValidationError) as exc:
        imports.import_set_mapping(job=job, actor=world.a.manager, mapping={"plate": 2})
    assert set(exc.value.message_dict) == {"name", "mobile"}
    with pytest.raises(ValidationError) as exc:
        imports.import_set_mapping(job=job, actor=world.a.manager, mapping={"name": 0, "mobile": 0, "plate": 99})
    assert set(exc.value.message_dict) == {"mobile", "plate"}


# ---------------------------------------------------------------------------------------------
# The pages


def _post_upload(client, world, uploaded):
    return client.post(reverse("customers:import_start"), {"store": world.a.store.pk, "file": uploaded})


@pytest.mark.parametrize(
    ("uploaded", "expected"),
    [
        (SimpleUploadedFile("export.pdf", b"%PDF-1.4"), ".xlsx"),
        (SimpleUploadedFile("export.csv", b""), "empty"),
        (SimpleUploadedFile("export.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), ".xls"),
        (SimpleUploadedFile("export.xlsx", b"PK\x03\x04 not really a workbook"), "Excel"),
        (SimpleUploadedFile("export.csv", b"\r\n\r\n"), "empty"),
        (SimpleUploadedFile("export.csv", "姓名,手机\r\n".encode()), "no data rows"),
        (
            SimpleUploadedFile("export.csv", "张三,13812345678,京A12345\r\n李四,13900001111,京A54321\r\n".encode()),
            "header",
        ),
        (SimpleUploadedFile("export.csv", b"\x00\x01\x02\x03binary"), "text file"),
        (SimpleUploadedFile("export.csv", b"\xff\xfe\xfd\x80\x81\x82\x83\x84"), "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_imported_gets_a_clear_message(client, world, uploaded, expected, settings):
    world.a.manager.language = "en"  # the person's own language decides the page's
    world.a.manager.save()
    client.force_login(world.a.manager)
    response = _post_upload(client, world, uploaded)
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body
    assert not ImportJob.objects.exists()
    stored = settings.MEDIA_ROOT / "imports"
    assert not stored.exists() or not any(stored.iterdir()), "a refused file is not kept"


def test_a_file_over_the_size_limit_is_refused(client, world, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    world.a.manager.language = "en"
    world.a.manager.save()
    client.force_login(world.a.manager)
    big = csv_upload([HEADER] + [GOOD[1]] * 20000)
    response = _post_upload(client, world, big)
    assert response.status_code == 400 and "at most 1 MB" in response.content.decode()


def test_the_whole_import_through_the_pages(client, world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    client.force_login(world.a.manager)
    response = _post_upload(client, world, csv_upload([*GOOD, "坏行,12345,京A00001,,,,,,,"]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "customers:import_mapping", kwargs={"job_pk": job.pk}
    )
    page = client.get(response.url).content.decode()
    assert "凯美瑞" in page and "京A12345" in page, "the preview shows the first rows"
    data = {key: "" for key in columns.FIELD_KEYS} | {k: str(v) for k, v in job.mapping.items()}
    response = client.post(reverse("customers:import_mapping", kwargs={"job_pk": job.pk}), data)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="load delay:300ms"' in page
    step = reverse("customers:import_step", kwargs={"job_pk": job.pk})
    for _ in range(10):
        response = client.post(step, headers={"HX-Request": "true"})
        if "HX-Redirect" in response:
            break
        assert "import-progress" in response.content.decode()
    job.refresh_from_db()
    assert job.state == State.VALIDATED and job.valid_rows == 4
    page = client.get(reverse("customers:import_job", kwargs={"job_pk": job.pk})).content.decode()
    assert 'data-testid="import-valid"' in page and 'data-testid="import-nothing"' in page
    assert not Customer.objects.exists()
    client.post(reverse("customers:import_commit", kwargs={"job_pk": job.pk}))
    for _ in range(10):
        response = client.post(step)  # without htmx: one chunk, then back to the page
        assert response.status_code == 302
        job.refresh_from_db()
        if job.state == State.DONE:
            break
    assert (job.imported_customers, job.imported_vehicles) == (3, 3)
    assert Customer.objects.get(name="张三").vehicles.count() == 2, "grouped across chunks"
    page = client.get(reverse("customers:import_job", kwargs={"job_pk": job.pk})).content.decode()
    assert 'data-testid="import-errors"' in page and "12345" in page


def test_import_nothing_from_the_page(client, world):
    job = check(upload(world, csv_upload([*GOOD, "坏行,12345,京A00001,,,,,,,"])), world.a.manager)
    client.force_login(world.a.manager)
    response = client.post(reverse("customers:import_cancel", kwargs={"job_pk": job.pk}))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == State.CANCELLED and not Customer.objects.exists()
    assert client.post(reverse("customers:import_commit", kwargs={"job_pk": job.pk})).status_code == 302
    assert not Customer.objects.exists(), "a cancelled import cannot be started afterwards"


def test_error_report_download_is_an_xlsx_with_the_rows(client, world):
    lines = [*GOOD, "坏行,12345,京A00001,,,,,,,", ",13800000001,京I12345,,,,,,,"]
    with translation.override("en"):
        job = check(upload(world, csv_upload(lines)), world.a.manager)
    world.a.manager.language = "en"
    world.a.manager.save()
    client.force_login(world.a.manager)
    response = client.get(reverse("customers:import_errors_download", kwargs={"job_pk": job.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="import-' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Row", "Field", "Reason", *HEADER.split(",")]
    assert [(r[0], r[1]) for r in rows[1:]] == [(6, "Mobile"), (7, "Name"), (7, "Plate")]
    assert rows[1][3:6] == ["坏行", "12345", "京A00001"], "the row's values as in the file"
    assert "12345" in rows[1][2]


def test_the_store_wall_and_the_import_right(client, world):
    job = check(upload(world, csv_upload(GOOD)), world.a.manager)
    urls = [
        ("get", reverse("customers:import_job", kwargs={"job_pk": job.pk})),
        ("get", reverse("customers:import_mapping", kwargs={"job_pk": job.pk})),
        ("get", reverse("customers:import_errors_download", kwargs={"job_pk": job.pk})),
        ("post", reverse("customers:import_step", kwargs={"job_pk": job.pk})),
        ("post", reverse("customers:import_commit", kwargs={"job_pk": job.pk})),
        ("post", reverse("customers:import_cancel", kwargs={"job_pk": job.pk})),
    ]
    client.force_login(world.b.manager)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
    for person in (world.a.staff, world.a.supervisor, world.a.auditor):
        client.force_login(person)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 403, (person, url)
        assert client.get(reverse("customers:import_start")).status_code == 403
        assert client.get(reverse("customers:import_list")).status_code == 403
    client.force_login(world.admin)
    assert client.get(urls[0][1]).status_code == 200
    client.force_login(world.b.manager)
    response = _post_upload(client, world, csv_upload(GOOD))  # store A is not behind B's wall
    assert response.status_code == 400
    assert not ImportJob.objects.filter(store=world.b.store).exists()
    assert job.state == ImportJob.objects.get(pk=job.pk).state == State.VALIDATED


def test_the_list_shows_only_imports_of_the_persons_stores_in_constant_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    upload(world, csv_upload(GOOD))
    imports.import_upload(actor=world.b.manager, store=world.b.store, uploaded=csv_upload(GOOD, name="b-only.csv"))
    client.force_login(world.a.manager)
    url = reverse("customers:import_list")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        upload(world, csv_upload(GOOD))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert len(many) == len(few) <= 10
    assert page.count("export.csv") == 5 and "b-only.csv" not in page
    client.force_login(world.admin)
    assert "b-only.csv" in client.get(url).content.decode()


def test_the_upload_page_offers_the_store_choice_only_to_people_with_several_stores(client, world):
    client.force_login(world.a.manager)
    page = client.get(reverse("customers:import_start")).content.decode()
    assert 'type="hidden" name="store"' in page and ".xlsx" in page
    client.force_login(world.admin)
    page = client.get(reverse("customers:import_start")).content.decode()
    assert "<select" in page and "测试二店" in page


# ---------------------------------------------------------------------------------------------
# The command


def test_the_command_imports_valid_rows_or_nothing(world, tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join([*GOOD, "坏行,12345,京A00001,,,,,,,"]) + "\r\n").encode("gbk"))
    with pytest.raises(CommandError):
        call_command("import_customers", str(path), store="S001", user="manager1")
    assert not Customer.objects.exists()
    report = tmp_path / "errors.xlsx"
    call_command("import_customers", str(path), store="S001", user="manager1", valid_only=True, report=str(report))
    assert Customer.objects.count() == 3 and Vehicle.objects.count() == 3
    assert report.exists()
    out = capsys.readouterr().out
    assert "GBK" in out
    with pytest.raises(CommandError):
        call_command("import_customers", str(path), store="S001", user="staff1", valid_only=True)
    with pytest.raises(CommandError):
        call_command("import_customers", str(path), store="S001", user="manager2", valid_only=True)


def test_the_command_takes_a_mapping_by_header_letter_or_number(world, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("甲,乙,丙\r\n张三,13812345678,京A12345\r\n", encoding="utf-8")
    call_command(
        "import_customers",
        str(path),
        store="S001",
        user="manager1",
        mapping='{"name": "甲", "mobile": "B", "plate": 3}',
    )
    assert Vehicle.objects.get().owner.name == "张三"


def test_files_of_old_imports_are_purged_but_the_job_and_its_errors_stay(world):
    import time_machine
    from django.core.management import call_command

    lines = [*GOOD, "坏行,12345,京A00001,,,,,,,"]
    with time_machine.travel("2026-10-01 10:00 +0800"):
        job = check(upload(world, csv_upload(lines)), world.a.manager)
        job = imports.import_run(job=job, actor=world.a.manager, valid_only=True)
    assert reading.read_rows(job)
    recent = check(upload(world, csv_upload([HEADER, "赵六,13600001111,,,,,,,,"])), world.a.manager)
    recent = imports.import_run(job=recent, actor=world.a.manager, valid_only=True)
    call_command("purge_import_files", "--days", "30")
    job.refresh_from_db()
    recent.refresh_from_db()
    assert job.file_path == "" and reading.read_rows(job) == []
    assert recent.file_path and reading.read_rows(recent)
    assert errors_of(job) == {(6, "mobile")}
    assert selectors.import_error_report(job)  # still downloadable, without the row values


def test_error_report_writes_formula_like_values_as_text(client, world):
    lines = [HEADER, "=1+1,12345,京A00001,,,,,,,@bad,", '"=HYPERLINK(""http://x"",""y"")",+8613,,,,,,,-1,']
    job = check(upload(world, csv_upload(lines)), world.a.manager)
    client.force_login(world.a.manager)
    response = client.get(reverse("customers:import_errors_download", kwargs={"job_pk": job.pk}))
    sheet = load_workbook(BytesIO(response.content)).active
    values = []
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value
            values.append(cell.value)
    assert "'=1+1" in values and "'@bad" in values and '\'=HYPERLINK("http://x","y")' in values
