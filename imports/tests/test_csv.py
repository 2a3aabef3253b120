"""CSV exports through import_data: Salesforce account reports and Zendesk ticket exports, with
the default or a saved column mapping; UTF-8 with or without BOM, ';' or ',', Excel dates;
every bad row by line and column, nothing written on error, the same file twice changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account, HealthSnapshot, SupportTicket
from accounts.tests.factories import AccountFactory, UserFactory
from imports import csv_values
from imports.admin import CsvMappingForm
from imports.models import CsvMapping

pytestmark = pytest.mark.django_db

SALESFORCE = (
    "Account ID,Account Name,Type,Annual Revenue,Billing Country,Billing State/Province,"
    "Account Owner,Technical Account Manager,Renewal Date\n"
    '0015f0000ACME,Acme Corp,Enterprise,"$1,200,000.00",Germany,,,ana@example.com,46112\n'
    "0015f0000GLOB,Globex,Mid-Market,45000,United States,CA,,,2027-03-31\n"
)


def write(tmp_path, text: str, name="export.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_a_salesforce_account_report_becomes_accounts_and_is_scored(tmp_path, fixed_today):
    call_command("import_data", write(tmp_path, SALESFORCE), source="salesforce", verbosity=0)
    acme = Account.objects.get(external_id="0015f0000ACME")
    assert (acme.name, acme.segment, acme.arr, acme.region) == ("Acme Corp", "enterprise", Decimal("1200000"), "EMEA")
    assert acme.renewal_date == dt.date(2026, 3, 31)  # Excel's day 46112
    assert acme.tam.email == "ana@example.com"
    globex = Account.objects.get(external_id="0015f0000GLOB")
    assert (globex.segment, globex.region, globex.renewal_date) == ("commercial", "US-WEST", dt.date(2027, 3, 31))
    assert acme.scored_on is not None and globex.scored_on is not None


def test_bom_semicolons_and_decimal_commas_are_read(tmp_path, fixed_today):
    text = (
        "\ufeffAccount ID;Account Name;Type;Annual Revenue;Billing Country\nA-1;Acme;enterprise;1.250.000,50;France\n"
    )
    call_command("import_data", write(tmp_path, text), source="salesforce", verbosity=0)
    assert Account.objects.get(external_id="A-1").arr == Decimal("1250000.50")


def test_the_same_file_twice_changes_nothing(tmp_path, fixed_today):
    path = write(tmp_path, SALESFORCE)
    call_command("import_data", path, source="salesforce", verbosity=0)
    state = (
        list(Account.objects.order_by("pk").values()),
        list(HealthSnapshot.objects.order_by("pk").values("pk", "score")),
    )
    call_command("import_data", path, source="salesforce", verbosity=0)
    after = (
        list(Account.objects.order_by("pk").values()),
        list(HealthSnapshot.objects.order_by("pk").values("pk", "score")),
    )
    for rows in (state[0], after[0]):
        for row in rows:
            row.pop("updated_at")
    assert after == state


def test_every_bad_row_is_reported_by_line_and_column_and_nothing_is_written(tmp_path, capsys):
    text = (
        "Account ID,Account Name,Type,Annual Revenue,Billing Country\n"
        "A-1,Acme,Enterprise,lots,Germany\n"
        "\n"  # a blank line: skipped, and the lines after keep their numbers
        "A-2,,Partner,100,Atlantis\n"
        "A-1,Dup,Enterprise,100,Germany\n"
    )
    with pytest.raises(CommandError, match="5 problem"):
        call_command("import_data", write(tmp_path, text), source="salesforce", verbosity=0)
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "line 2, column 'Annual Revenue': must be a number >= 0",
        "line 4, column 'Account Name': is required",
        "line 4, column 'Billing Country': no region known for the country 'Atlantis'"
        " (add it to the mapping's region values)",
        "line 4, column 'Type': 'Partner' is not a known segment"
        " (commercial, enterprise, or add the word to the mapping)",
        "line 5, column 'Account ID': duplicate of line 2",
    ]
    assert not Account.objects.exists()


def test_a_missing_column_or_a_file_that_is_not_utf8_is_refused_in_one_line(tmp_path, capsys):
    with pytest.raises(CommandError, match="4 problem"):  # every missing column at once
        call_command("import_data", write(tmp_path, "Account ID,Name\nA,B\n"), source="salesforce", verbosity=0)
    assert "column 'Account Name' (name) is not in the file" in capsys.readouterr().err
    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "import_data",
            write(tmp_path, SALESFORCE.replace("Acme", "Äcme"), encoding="latin-1"),
            source="salesforce",
            verbosity=0,
        )
    assert "not UTF-8" in capsys.readouterr().err
    with pytest.raises(CommandError, match="needs --source"):
        call_command("import_data", write(tmp_path, SALESFORCE), verbosity=0)


ZENDESK = (
    "Id,Organization,Created at,Status,Priority,Subject\n"
    "1001,acme corp,2026-11-10T14:02:11Z,Hold,High,Pipeline stuck\n"
    "1002,0015f0000GLOB,46340,Solved,,Question\n"
)


def test_a_zendesk_export_becomes_tickets_of_the_accounts_it_names(tmp_path, fixed_today):
    acme = AccountFactory(external_id="0015f0000ACME", name="Acme Corp")
    globex = AccountFactory(external_id="0015f0000GLOB", name="Globex")
    call_command("import_data", write(tmp_path, ZENDESK), source="zendesk", verbosity=0)
    first, second = SupportTicket.objects.order_by("external_id")
    assert (first.account, first.opened, first.status, first.severity) == (
        acme,
        dt.date(2026, 11, 10),
        "pending",
        "high",
    )
    assert (second.account, second.opened, second.severity) == (globex, dt.date(2026, 11, 14), "normal")
    call_command("import_data", write(tmp_path, ZENDESK), source="zendesk", verbosity=0)
    assert SupportTicket.objects.count() == 2


def test_an_unknown_organization_is_reported_at_its_line(tmp_path, capsys):
    with pytest.raises(CommandError):
        call_command("import_data", write(tmp_path, ZENDESK), source="zendesk", verbosity=0)
    err = capsys.readouterr().err
    assert "line 2, column 'Organization': unknown account 'acme corp'" in err
    assert not SupportTicket.objects.exists()


def test_a_saved_mapping_reads_an_orgs_own_column_names(tmp_path, fixed_today):
    CsvMapping.objects.create(
        source="salesforce",
        columns={"id": "SFDC Id", "arr": "ARR (USD)", "tam": "TAM"},
        values={"segment": {"Key Account": "enterprise"}},
    )
    UserFactory(username="ben", first_name="Ben", last_name="Okafor", email="ben@example.com")
    text = "SFDC Id,Account Name,Type,ARR (USD),Billing Country,TAM\nX-1,Acme,Key Account,900000,Japan,Ben Okafor\n"
    call_command("import_data", write(tmp_path, text), source="salesforce", verbosity=0)
    account = Account.objects.get(external_id="X-1")
    assert (account.segment, account.arr, account.region, account.tam.username) == (
        "enterprise",
        Decimal("900000"),
        "APAC",
        "ben",
    )


def test_the_mapping_form_refuses_unknown_fields():
    form = CsvMappingForm({"source": "zendesk", "columns": '{"organisation": "Org"}', "values": "{}"})
    assert not form.is_valid()
    assert "unknown field 'organisation'" in form.non_field_errors()[0]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-11-10", dt.date(2026, 11, 10)),
        ("2026/11/10", dt.date(2026, 11, 10)),
        ("2026-11-10 23:30:00", dt.date(2026, 11, 10)),
        ("2026-11-10T23:30:00-05:00", dt.date(2026, 11, 11)),  # 04:30 UTC the next day
        ("46336", dt.date(2026, 11, 10)),
        ("46336.75", dt.date(2026, 11, 10)),
    ],
)
def test_dates_iso_and_excel(text, expected):
    assert csv_values.date_read(text) == expected


@pytest.mark.parametrize("text", ["10/11/2026", "soon", "0", "99999999"])
def test_ambiguous_or_bad_dates_are_refused(text):
    with pytest.raises(csv_values.BadValue):
        csv_values.date_read(text)


@pytest.mark.parametrize(
    "text,expected",
    [("$1,200,000.50", "1200000.50"), ("1.200.000,50 €", "1200000.50"), ("120000", "120000"), ("99,5", "99.5")],
)
def test_amounts(text, expected):
    assert csv_values.amount_read(text) == expected
