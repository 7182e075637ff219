"""Statement files read into lines: good files in both formats, and malformed ones
refused whole with each problem named."""

from __future__ import annotations

from datetime import date

import pytest

from backend.banking.errors import StatementMalformed
from backend.banking.parsing import StatementFormat, parse
from backend.core.money import Money
from backend.devstack.bank import camt053, csv_statement
from tests.backend.banking.statements import DAY, transaction

HEADER = (
    "value_date,booking_date,amount,currency,credit_debit,reference,counterparty,transaction_id"
)


def test_a_csv_statement_is_read_line_by_line():
    credit = transaction(125_050, reference="ACC-00010001", value_date=date(2026, 11, 29))
    debit = transaction(9_900, credit=False, counterparty='Perera, "Kamal"')
    parsed = parse(csv_statement([credit, debit]), "statement.csv")
    assert parsed.format is StatementFormat.CSV
    first, second = parsed.lines
    assert first.transaction_id == credit.transaction_id and first.credit
    assert first.amount == Money(amount=125_050, currency="LKR")
    assert (first.booking_date, first.value_date) == (DAY, date(2026, 11, 29))
    assert first.reference == "ACC-00010001" and first.line == 2
    assert not second.credit and second.counterparty == 'Perera, "Kamal"'


def test_a_camt053_statement_is_read_entry_by_entry():
    one, two = transaction(50_000, reference="INV-7"), transaction(2_550, counterparty=None)
    parsed = parse(camt053("STMT-2026-11-30", [one, two]))
    assert parsed.format is StatementFormat.CAMT053
    assert parsed.bank_statement_id == "STMT-2026-11-30"
    assert [line.transaction_id for line in parsed.lines] == [
        one.transaction_id,
        two.transaction_id,
    ]
    assert parsed.lines[0].amount.amount == 50_000 and parsed.lines[0].reference == "INV-7"
    assert parsed.lines[0].counterparty == "K. Perera" and parsed.lines[1].counterparty is None


def test_a_batched_camt053_entry_gives_each_transaction_with_its_own_amount():
    xml = """<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Id>S1</Id><Ntry><Amt Ccy="KES">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<BookgDt><DtTm>2026-11-30T09:15:00</DtTm></BookgDt><AcctSvcrRef>BATCH-1</AcctSvcrRef>
<NtryDtls>
<TxDtls><Refs><EndToEndId>E2E-0001</EndToEndId></Refs>
<AmtDtls><TxAmt><Amt Ccy="KES">100.00</Amt></TxAmt></AmtDtls>
<RmtInf><Ustrd>ACC-1</Ustrd></RmtInf></TxDtls>
<TxDtls><Refs><AcctSvcrRef>REF-0002</AcctSvcrRef></Refs><Amt Ccy="KES">200.00</Amt></TxDtls>
</NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"""
    first, second = parse(xml.encode()).lines
    assert (first.transaction_id, first.amount.amount, first.amount.currency) == (
        "E2E-0001",
        10_000,
        "KES",
    )
    assert first.booking_date == first.value_date == DAY and first.reference == "ACC-1"
    assert (second.transaction_id, second.amount.amount) == ("REF-0002", 20_000)


def _problems(content: bytes, filename: str | None = None) -> list[str]:
    with pytest.raises(StatementMalformed) as refused:
        parse(content, filename)
    assert refused.value.status == 422 and refused.value.code == "bank.statement_malformed"
    return [f"{e['field']}: {e['reason']}" for e in refused.value.extra["errors"]]


def test_a_csv_with_bad_lines_is_refused_with_each_problem():
    rows = [
        HEADER,
        "2026-11-30,2026-11-30,100.00,LKR,CRDT,ACC-1,A,FT0001",
        "2026-11-30,2026-11-31,100.00,LKR,CRDT,ACC-1,A,FT0002",
        "2026-11-30,2026-11-30,-5,LKR,CRDT,ACC-1,A,FT0003",
        "2026-11-30,2026-11-30,1.005,LKR,CRDT,ACC-1,A,FT0004",
        "2026-11-30,2026-11-30,10.00,LKR,SIDEWAYS,ACC-1,A,FT0005",
        "2026-11-30,2026-11-30,10.00,LKR,CRDT,ACC-1,A,",
        "2026-11-30,2026-11-30,10.00,LKR",
    ]
    problems = _problems("\n".join(rows).encode())
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in (3, 4, 5, 6, 7, 8)]
    assert "booking_date '2026-11-31' is not a date" in problems[0]
    assert "credit_debit 'SIDEWAYS'" in problems[3]
    assert "wrong number of columns" in problems[5]


def test_a_csv_with_another_header_or_encoding_is_refused():
    assert "the header must be" in _problems(b"date,amount\n2026-11-30,10.00\n")[0]
    assert "not UTF-8" in _problems(HEADER.encode() + b"\n\xff\xfe,bad\n")[0]
    assert "no transactions" in _problems(HEADER.encode() + b"\n")[0]


def test_malformed_or_dangerous_xml_is_refused():
    assert "not well-formed" in _problems(b"<Document><BkToCstmrStmt>", "s.xml")[0]
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>'
    )
    assert "not well-formed camt.053" in _problems(bomb)[0]
    assert "no Document/BkToCstmrStmt/Stmt" in _problems(b"<Other/>")[0]
    entry = camt053("S", [transaction()]).replace(b"<BookgDt><Dt>2026-11-30</Dt></BookgDt>", b"")
    assert "entry 1: BookgDt (booking date) is missing" in _problems(entry)
    unnamed = camt053("S", [transaction(transaction_id="NOTPROVIDED")])
    assert "no AcctSvcrRef or EndToEndId" in _problems(unnamed)[0]
