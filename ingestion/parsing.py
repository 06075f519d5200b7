"""DuckDB SQL that turns a file's text columns into typed raw columns, per the contract.

Parsing is plain SQL over the registered text frame, so a medium extract is typed at DuckDB's
speed and the same expressions both find unparseable values (for rejects) and produce the rows
that land.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingestion.contracts import ColumnSpec, Contract

# Unix seconds are UTC; CRM datetimes are China wall time (UTC+8 all year, no daylight saving).
UNIX_SECONDS_OFFSET_HOURS = 8
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_file", "varchar"),
    ("_file_hash", "varchar"),
    ("_row_number", "bigint"),
    ("_loaded_at", "timestamp"),
    ("_batch_id", "varchar"),
)
PERIOD_PARTS = (("start", "date"), ("end", "date"), ("grain", "varchar"), ("hour", "integer"))
_HOURLY_FORMATS = "['%Y-%m-%d %H:%M', '%Y-%m-%d %H:%M:%S']"
# a file read row by row (ingestion.readers) carries why a row is malformed, and its text
MALFORMED = "_malformed"
MALFORMED_TEXT = "_malformed_text"
# words Chinese exports put in number columns for "no value"; only the whole value counts
NULL_WORDS = ("null", "无", "-", "--", "—", "－")
# full-width digits and signs (common in Chinese exports) -> ASCII, character for character
_FULL_WIDTH = "０１２３４５６７８９．，－＋"
_HALF_WIDTH = "0123456789.,-+"
# currency signs in front of an amount: the yuan sign in both widths
_CURRENCY = "¥￥"


def quote(identifier: str) -> str:
    """A DuckDB identifier in double quotes (headers may hold spaces, brackets, CJK)."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def text_expr(header: str) -> str:
    """The value as sent, with surrounding blanks removed and empty text as null."""
    return f"nullif(trim({quote(header)}), '')"


def _formats_list(formats: list[str]) -> str:
    return "[" + ", ".join(literal(f) for f in formats) + "]"


def _timestamp_expr(column: ColumnSpec, v: str) -> str:
    """Try the contract's formats in order; ISO text is always accepted last."""
    patterns = [f for f in column.date_formats if "%" in f]
    parts = []
    if patterns:
        parts.append(f"try_strptime({v}, {_formats_list(patterns)})")
    if "excel_serial" in column.date_formats:
        # Excel's day 0 is 1899-12-30 (it counts the fictitious 1900-02-29); 5 digits = 1927..2173
        parts.append(
            f"case when regexp_full_match({v}, '[0-9]{{5}}(\\.[0-9]+)?') then "
            f"timestamp '1899-12-30' + to_microseconds(cast(round(cast({v} as double) "
            f"* 86400000000) as bigint)) end"
        )
    if "unix_seconds" in column.date_formats:
        parts.append(
            f"case when regexp_full_match({v}, '[0-9]{{9,10}}') then timestamp '1970-01-01' "
            f"+ to_seconds(cast({v} as bigint)) + interval {UNIX_SECONDS_OFFSET_HOURS} hour end"
        )
    parts.append(f"try_cast({v} as timestamp)")
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def number_text(v: str) -> str:
    """A number's text as sent -> plain ASCII: full-width digits, a yuan sign, null words.

    Only rewrites whose meaning is certain: ``１０００`` is 1000, ``¥1,000.50`` and ``￥1000`` are
    amounts in the column's unit, and a whole value of ``NULL``, ``无`` or ``-`` means no value.
    Anything else (``1 000``, ``12元``, ``1.000,5``) stays as sent and is rejected if it does not
    parse.
    """
    ascii_text = f"translate({v}, {literal(_FULL_WIDTH)}, {literal(_HALF_WIDTH)})"
    no_sign = f"ltrim(ltrim({ascii_text}, {literal(_CURRENCY)}))"
    return f"case when {_is_null_word(v)} then null else {no_sign} end"


def _is_null_word(v: str) -> str:
    """True where the whole value is a null word.

    A substring test, not ``lower(v) in (...)``: DuckDB 2.0 plans an IN list of several constants
    as a join, and the staged table then loses the file's row order its rowid numbering relies
    on (measured: 160,000 of 400,000 rows renumbered).
    """
    words = literal("|" + "|".join(NULL_WORDS) + "|")
    return f"(not contains({v}, '|') and contains({words}, '|' || lower({v}) || '|'))"


def number_source_text(header: str) -> str:
    """The text kept beside a number column: as sent, but a null word is no value at all.

    So ``NULL`` in a nullable number column lands as null instead of rejecting the row, and in a
    non-nullable one rejects it as a missing value.
    """
    v = text_expr(header)
    return f"case when {_is_null_word(v)} then null else {v} end"


def _is_number(column: ColumnSpec) -> bool:
    return column.type in ("integer", "bigint", "double") or column.type.startswith("decimal")


def _number_expr(column: ColumnSpec, v: str) -> str:
    v = number_text(v)
    cleaned = f"replace({v}, ',', '')"  # thousands separators from hand-made sheets
    if column.type in ("integer", "bigint"):
        # DuckDB rounds '13.5' to 14 when casting to an integer: accept only whole numbers; the
        # regex runs only on the rare values with a point or comma
        strict = (
            f"case when regexp_full_match({cleaned}, '[+-]?[0-9]+(\\.0*)?') "
            f"then try_cast(try_cast({cleaned} as decimal(38,0)) as {column.type}) end"
        )
        return (
            f"case when contains({v}, '.') or contains({v}, ',') then {strict} "
            f"else try_cast({v} as {column.type}) end"
        )
    factor = {"fen": "/ 100", "wan": "* 10000"}.get(column.unit or "yuan")
    if factor:
        return f"cast(try_cast({cleaned} as decimal(38,6)) {factor} as {column.type})"
    return f"try_cast({cleaned} as {column.type})"


def value_expr(column: ColumnSpec, header: str) -> str:
    """SQL for the typed value of ``column`` read from the file's ``header``."""
    v = text_expr(header)
    if column.type == "varchar" or column.type == "period":
        return v
    if column.type == "timestamp":
        return _timestamp_expr(column, v)
    if column.type == "date":
        return f"cast({_timestamp_expr(column, v)} as date)"
    if column.type == "boolean":
        return f"try_cast({v} as boolean)"
    return _number_expr(column, v)


def _period_part(column: ColumnSpec, v: str, part: str) -> str:
    patterns = _formats_list([f for f in column.date_formats if "%" in f] or ["%Y-%m-%d"])
    single = (
        f"cast(coalesce(try_strptime({v}, {patterns}), try_strptime({v}, {_HOURLY_FORMATS}))"
        " as date)"
    )
    if part in ("start", "end"):
        index = 1 if part == "start" else 2
        piece = f"trim(split_part({v}, '至', {index}))"
        ranged = f"cast(try_strptime({piece}, {patterns}) as date)"
        return f"case when {v} like '%至%' then {ranged} else {single} end"
    if part == "grain":
        return (
            f"case when {v} is null then null when {v} like '%至%' then 'range' "
            f"when {v} like '%:%' then 'hour' else 'day' end"
        )
    return (
        f"case when {v} like '%:%' and {v} not like '%至%' "
        f"then hour(try_strptime({v}, {_HOURLY_FORMATS})) end"
    )


def output_columns(column: ColumnSpec) -> list[tuple[str, str]]:
    """The raw columns (name, DuckDB type) one contract column produces."""
    if column.type == "period":
        return [(column.name, "varchar")] + [
            (f"{column.name}_{part}", type_) for part, type_ in PERIOD_PARTS
        ]
    return [(column.name, column.type)]


def select_exprs(column: ColumnSpec, header: str | None) -> list[str]:
    """``expr as name`` items for the raw insert; a missing optional column lands as nulls."""
    if header is None:
        return [f"cast(null as {type_}) as {quote(name)}" for name, type_ in output_columns(column)]
    items = [f"{value_expr(column, header)} as {quote(column.name)}"]
    if column.type == "period":
        v = text_expr(header)
        items += [
            f"{_period_part(column, v, part)} as {quote(f'{column.name}_{part}')}"
            for part, _ in PERIOD_PARTS
        ]
    return items


def keeps_source_text(column: ColumnSpec) -> bool:
    """Typed columns keep their text beside them in the staged table, to find unparseable values."""
    return column.type not in ("varchar", "period")


def source_column(column: ColumnSpec) -> str:
    """The staged column holding the value as sent (varchar/period columns are the text)."""
    return f"_src_{column.name}" if keeps_source_text(column) else column.name


def staged_select_items(
    contract: Contract, headers: dict[str, str | None], extras: dict[str, str]
) -> list[str]:
    """One pass over the file: typed raw columns, the text of typed ones, and extra columns."""
    items = []
    for column in contract.columns:
        header = headers.get(column.name)
        items += select_exprs(column, header)
        if header is not None and keeps_source_text(column):
            text = number_source_text(header) if _is_number(column) else text_expr(header)
            items.append(f"{text} as {quote(source_column(column))}")
    items += [f"{text_expr(header)} as {quote(name)}" for name, header in extras.items()]
    return items


# staged column: how many row checks a row fails (0 for a row that lands)
FAILED_CHECKS = "_failed_checks"


def staged_select(
    contract: Contract,
    headers: dict[str, str | None],
    extras: dict[str, str],
    from_sql: str,
    row_number: str | None,
    malformed: bool = False,
) -> str:
    """The query that types a file's rows into the staged table, checks included, in one pass.

    Every row gets the number of checks it fails (``FAILED_CHECKS``). The text of a typed column
    is kept only where it is needed later: on rows that fail a check (rejects show the value as
    sent) and, for enum columns, where the value is not a known code. Writing that text for every
    row would cost as much as a quarter of the staging on the large files. ``row_number`` is the
    SQL of the 1-based data row, or None when the staged table's own ``rowid`` gives it (a CSV
    read in file order). ``malformed``: the rows come with ``MALFORMED`` and ``MALFORMED_TEXT``
    columns (see :func:`row_checks`).
    """
    items = staged_select_items(contract, headers, extras)
    if row_number is not None:
        items.insert(0, f"{row_number} as _row_number")
    if malformed:
        items += [quote(MALFORMED), quote(MALFORMED_TEXT)]
    checks = row_checks(contract, headers, malformed)
    flags = " + ".join(f"coalesce(({c.condition})::int, 0)" for c in checks) or "0"
    kept: list[str] = ["_row_number"] if row_number is not None else []
    for column in contract.columns:
        header = headers.get(column.name)
        if header is None:
            kept += [quote(name) for name, _ in output_columns(column)]
        else:
            kept += [quote(name) for name, _ in output_columns(column)]
            if keeps_source_text(column):
                text = quote(source_column(column))
                needed = f"{FAILED_CHECKS} > 0"
                if column.enum:
                    needed += f" or {enum_violation(column)}"
                kept.append(f"case when {needed} then {text} end as {text}")
    kept += [quote(name) for name in extras]
    if malformed:
        kept += [quote(MALFORMED), quote(MALFORMED_TEXT)]
    kept.append(FAILED_CHECKS)
    return (
        f"select {', '.join(kept)} from ("
        f"select *, cast({flags} as integer) as {FAILED_CHECKS} from ("
        f"select {', '.join(items)} from {from_sql}))"
    )


@dataclass(frozen=True)
class RowCheck:
    """One check on the staged table: where it fails, and how to say so."""

    condition: str
    column: str
    header: str
    value_sql: str
    reason: str
    expected: str
    reason_sql: str | None = None  # the reason per row, when it varies


# the column a malformed row's reject names: the whole row, not one value
WHOLE_ROW = "(whole row)"


def row_checks(
    contract: Contract, headers: dict[str, str | None], malformed: bool = False
) -> list[RowCheck]:
    """Checks on the staged table that make a row a reject (no parsing: compares text and type).

    With ``malformed``, a row read with the wrong number of fields or with invalid bytes is a
    reject too; its value is the row as read and its reason says what is wrong.
    """
    checks = []
    if malformed:
        width = sum(1 for h in headers.values() if h is not None)
        checks.append(
            RowCheck(
                f"({quote(MALFORMED)} is not null)",
                WHOLE_ROW,
                WHOLE_ROW,
                quote(MALFORMED_TEXT),
                "malformed row",
                f"a row of at least {width} fields like the header",
                reason_sql=f"'malformed row: ' || {quote(MALFORMED)}",
            )
        )
    for column in contract.columns:
        header = headers.get(column.name)
        if header is None:
            continue
        text = quote(source_column(column))
        if column.type == "period":
            start, end = quote(f"{column.name}_start"), quote(f"{column.name}_end")
            invalid = (
                f"({text} is not null and ({start} is null or {end} is null or {end} < {start}))"
            )
            checks.append(
                RowCheck(invalid, column.name, header, text, "unparseable value", column.expected())
            )
        elif keeps_source_text(column):
            invalid = f"({text} is not null and {quote(column.name)} is null)"
            checks.append(
                RowCheck(invalid, column.name, header, text, "unparseable value", column.expected())
            )
        if not column.nullable:
            checks.append(
                RowCheck(
                    f"({text} is null)",
                    column.name,
                    header,
                    text,
                    "missing value",
                    "a value (the column is not nullable)",
                )
            )
    return checks


def enum_violation(column: ColumnSpec) -> str:
    """True where a staged value is not one of the contract's enum codes (compared as sent)."""
    codes = ", ".join(literal(code) for code in column.enum)
    return f"coalesce({quote(source_column(column))} not in ({codes}), false)"


def raw_table_ddl(contract: Contract) -> list[tuple[str, str]]:
    """Every column of the raw table in order: contract columns, then lineage."""
    columns = [pair for column in contract.columns for pair in output_columns(column)]
    return columns + list(LINEAGE_COLUMNS)
