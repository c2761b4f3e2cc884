"""A snapshot as files: one JSON document, a CSV per section, or all the CSVs in one zip.

The same snapshot the page shows (``handlers.public.snapshot``), so a file holds what the
page holds, only all of it. Keys and column names are fixed English identifiers, a format
for scripts and spreadsheets to rely on, not prose; the audit log's text is in the language
it was gathered in. Moments are ISO 8601 in UTC, amounts exact decimals as text beside
their currency (and, in JSON, the whole minor units the ledger keeps). CSV is RFC 4180 in
UTF-8 with a byte-order mark (so spreadsheets read Cyrillic and Chinese right), every free
text guarded against being taken for a formula (``rules.sheet_cell``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from handlers.core.messages import plain_text
from handlers.public.rules import sheet_cell
from handlers.public.snapshot import BudgetRow, PollRow, Snapshot

FORMAT = "courtyard.public/1"
JSON_MIME = "application/json"
CSV_MIME = "text/csv"
ZIP_MIME = "application/zip"

Row = dict[str, Any]


def _plan(s: Snapshot) -> Iterator[Row]:
    for r in s.plan.rows:
        yield {
            "number": r.number,
            "title": r.title,
            "status": r.status,
            "taken_by": r.taker,
            "taken_at": r.taken_at,
            "done_at": r.done_at,
            "latest_note": r.note,
            "noted_at": r.noted_at,
            "cost": r.cost.amount if r.cost else None,
            "currency": r.cost.currency if r.cost else None,
            "funded_by_budget": r.funded_by,
        }


def _needs(s: Snapshot) -> Iterator[Row]:
    for r in s.needs.rows:
        yield {
            "number": r.number,
            "text": r.text,
            "status": r.status,
            "proposed_by": r.author,
            "proposed_at": r.proposed_at,
            "support": r.support,
        }


def _problems(s: Snapshot) -> Iterator[Row]:
    for r in s.problems.rows:
        yield {
            "number": r.number,
            "text": r.text,
            "reported_by": r.reporter,
            "reported_at": r.reported_at,
            "reopened_at": r.reopened_at,
        }


def _poll(p: PollRow) -> Row:
    decision = p.decision or (None, None, None)
    return {
        "poll": p.number,
        "question": p.question,
        "kind": p.kind,
        "opened_at": p.opened_at,
        "closed_at": p.closed_at,
        "ballots": p.ballots,
        "electorate": p.electorate,
        "quorum": p.quorum,
        "valid": p.valid,
        "rounds": p.rounds,
        "decision_subject": decision[0],
        "decision_number": decision[1],
        "decision_plan_item": decision[2],
        "outcome": p.outcome.text if p.outcome else None,
        "outcome_by": p.outcome.by if p.outcome else None,
        "outcome_at": p.outcome.at if p.outcome else None,
    }


def _options(p: PollRow) -> Iterator[Row]:
    for option in p.options:
        yield {"option": option.name, "votes": option.votes, "won": option.won}


def _polls(s: Snapshot) -> Iterator[Row]:
    """One row per option of each poll, the poll's totals repeated on each."""
    for p in s.polls.rows:
        for option in _options(p):
            yield {**_poll(p), **option}


def _shifts(s: Snapshot) -> Iterator[Row]:
    for r in s.shifts.rows:
        yield {
            "number": r.number,
            "duty": r.duty,
            "starts_at": r.starts_at,
            "ends_at": r.ends_at,
            "people": r.people,
        }


def _fund(s: Snapshot) -> Iterator[Row]:
    for e in s.fund.rows:
        yield {
            "number": e.number,
            "recorded_at": e.recorded_at,
            "kind": e.kind,
            "state": e.state,
            "amount": e.amount.amount,
            "currency": e.amount.currency,
            "note": e.note,
            "recorded_by": e.recorded_by,
            "reverses": e.reverses,
            "poll": e.poll,
            "plan_item": e.plan_item,
            "budget": e.budget,
        }


def _balance(s: Snapshot) -> Iterator[Row]:
    for money in s.balance:
        yield {"currency": money.currency, "balance": money.amount}


def _budget(b: BudgetRow) -> Row:
    closed = b.closed_at is not None
    return {
        "budget": b.number,
        "amount": b.amount.amount,
        "currency": b.amount.currency,
        "opened_by": b.opened_by,
        "opened_at": b.opened_at,
        "closes_at": b.closes_at,
        "closed_at": b.closed_at,
        "electorate": b.electorate,
        "funded_total": b.funded.amount if closed else None,
        "left": b.left.amount if closed else None,
    }


def _items(b: BudgetRow) -> Iterator[Row]:
    for item in b.items:
        yield {
            "plan_item": item.plan_item,
            "title": item.title,
            "cost": item.cost.amount,
            "support": item.support,
            "funded": item.funded,
        }


def _budgets(s: Snapshot) -> Iterator[Row]:
    """One row per item on each round's ballot, the round's figures repeated on each."""
    for b in s.budgets.rows:
        for item in _items(b):
            yield {**_budget(b), **item}


def _audit(s: Snapshot) -> Iterator[Row]:
    for a in s.audit.rows:
        yield {"at": a.at, "action": a.action, "text": plain_text(a.text)}


#: Each CSV file by name (the fund's section has two: its ledger and its balance).
TABLES: dict[str, Callable[[Snapshot], Iterable[Row]]] = {
    "plan": _plan,
    "needs": _needs,
    "problems": _problems,
    "polls": _polls,
    "shifts": _shifts,
    "fund": _fund,
    "balance": _balance,
    "budgets": _budgets,
    "audit": _audit,
}
#: The columns of each table, written even when it has no rows.
COLUMNS: dict[str, tuple[str, ...]] = {
    "plan": (
        "number",
        "title",
        "status",
        "taken_by",
        "taken_at",
        "done_at",
        "latest_note",
        "noted_at",
        "cost",
        "currency",
        "funded_by_budget",
    ),
    "needs": ("number", "text", "status", "proposed_by", "proposed_at", "support"),
    "problems": ("number", "text", "reported_by", "reported_at", "reopened_at"),
    "polls": (
        "poll",
        "question",
        "kind",
        "opened_at",
        "closed_at",
        "option",
        "votes",
        "won",
        "ballots",
        "electorate",
        "quorum",
        "valid",
        "rounds",
        "decision_subject",
        "decision_number",
        "decision_plan_item",
        "outcome",
        "outcome_by",
        "outcome_at",
    ),
    "shifts": ("number", "duty", "starts_at", "ends_at", "people"),
    "fund": (
        "number",
        "recorded_at",
        "kind",
        "state",
        "amount",
        "currency",
        "note",
        "recorded_by",
        "reverses",
        "poll",
        "plan_item",
        "budget",
    ),
    "balance": ("currency", "balance"),
    "budgets": (
        "budget",
        "amount",
        "currency",
        "opened_by",
        "opened_at",
        "closes_at",
        "closed_at",
        "electorate",
        "funded_total",
        "left",
        "plan_item",
        "title",
        "cost",
        "support",
        "funded",
    ),
    "audit": ("at", "action", "text"),
}


def _plain(value: Any) -> Any:
    """A row's value as JSON has it."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _json(row: Row) -> Row:
    return {key: _plain(value) for key, value in row.items()}


def as_document(snapshot: Snapshot) -> Row:
    """The whole snapshot as plain JSON values: the CSV tables' rows, with each poll's options
    and each budget round's items nested in it instead of repeated."""
    document: Row = {
        "format": FORMAT,
        "community": {"title": snapshot.title, "timezone": snapshot.timezone},
        "language": snapshot.language,
        "made_at": _plain(snapshot.made_at),
    }
    for name in ("plan", "needs", "problems"):
        document[name] = [_json(row) for row in TABLES[name](snapshot)]
    document["polls"] = [
        {**_json(_poll(p)), "options": [_json(o) for o in _options(p)]} for p in snapshot.polls.rows
    ]
    document["shifts"] = [_json(row) for row in _shifts(snapshot)]
    document["fund"] = {
        "balance": [_json(row) for row in _balance(snapshot)],
        "entries": [_json(row) for row in _fund(snapshot)],
    }
    document["budgets"] = [
        {**_json(_budget(b)), "items": [_json(i) for i in _items(b)]} for b in snapshot.budgets.rows
    ]
    document["audit"] = [_json(row) for row in _audit(snapshot)]
    document["audit_total"] = snapshot.audit.total  # more than "audit" holds when it was cut
    return document


def as_json(snapshot: Snapshot) -> bytes:
    return json.dumps(as_document(snapshot), ensure_ascii=False, separators=(",", ":")).encode()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, str):
        return sheet_cell(value)
    if isinstance(value, tuple):
        return sheet_cell("; ".join(value))
    return str(value)


def section_csv(snapshot: Snapshot, name: str) -> bytes:
    """The table ``name`` (a key of ``TABLES``) as a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = COLUMNS[name]
    writer.writerow(columns)
    for row in TABLES[name](snapshot):
        writer.writerow([_cell(row[column]) for column in columns])
    return out.getvalue().encode("utf-8-sig")


def as_zip(snapshot: Snapshot) -> bytes:
    """Every table as ``NAME.csv`` in one zip (one file to send, a few kB compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in TABLES:
            info = zipfile.ZipInfo(f"{name}.csv", date_time=_zip_time(snapshot.made_at))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, section_csv(snapshot, name))
    return out.getvalue()


def _zip_time(at: datetime) -> tuple[int, int, int, int, int, int]:
    return (max(at.year, 1980), at.month, at.day, at.hour, at.minute, at.second)


def filename(snapshot: Snapshot, extension: str) -> str:
    """``courtyard-2026-12-04.json``: the day it was made (the community's title may be any
    script, which not every file system or mail client keeps)."""
    return f"courtyard-{snapshot.made_at.date().isoformat()}.{extension}"
