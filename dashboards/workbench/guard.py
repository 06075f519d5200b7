"""Which statements the workbench runs: exactly one query, checked by two real SQL parsers.

The guard is the first of two walls. sqlglot parses the text as DuckDB SQL; only a single query
(SELECT, WITH ... SELECT, FROM ..., VALUES, or a UNION/INTERSECT/EXCEPT of them) passes, and any
statement nested inside it that is not a query is refused too. What runs is sqlglot's own
rendering of the parsed tree (without comments), and DuckDB's parser must agree that it is one
SELECT statement: a comment or quirk that one parser reads differently from the other can never
smuggle a second statement through. The second wall is the connection itself (see
``connection.py``): read-only, external access off, configuration locked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

ALLOWED = (
    "The workbench runs one read-only query at a time: SELECT, WITH ... SELECT, FROM ..., "
    "VALUES, or UNION / INTERSECT / EXCEPT of them, over the warehouse's tables."
)

QUERY_TYPES: tuple[type[exp.Expression], ...] = (exp.Select, exp.SetOperation, exp.Values)

# Statement kinds a query may never contain, each with what the user tried to do.
REFUSED_KINDS: tuple[tuple[tuple[type[exp.Expression], ...], str], ...] = (
    ((exp.Copy, exp.Export), "Reading or writing files (COPY, EXPORT) is not allowed."),
    ((exp.Attach, exp.Detach, exp.Use), "Attaching or switching databases is not allowed."),
    ((exp.Install,), "Installing or loading extensions is not allowed."),
    ((exp.Set, exp.Pragma), "Changing settings (SET, RESET, PRAGMA) is not allowed."),
    (
        (exp.Create, exp.Drop, exp.Alter, exp.TruncateTable, exp.Comment),
        "Creating, changing or dropping tables, views or other objects is not allowed.",
    ),
    (
        (exp.Insert, exp.Update, exp.Delete, exp.Merge),
        "Changing data (INSERT, UPDATE, DELETE, MERGE) is not allowed.",
    ),
    (
        (exp.Transaction, exp.Commit, exp.Rollback),
        "Transactions are not allowed: every query runs on its own read-only snapshot.",
    ),
)

# Statements sqlglot keeps as raw commands, by their first word.
COMMAND_MESSAGES = {
    "LOAD": "Installing or loading extensions is not allowed.",
    "INSTALL": "Installing or loading extensions is not allowed.",
    "FORCE": "Installing or loading extensions is not allowed.",
    "RESET": "Changing settings (SET, RESET, PRAGMA) is not allowed.",
    "CALL": "Calling table functions with CALL is not allowed; select from them instead.",
    "EXPORT": "Reading or writing files (COPY, EXPORT) is not allowed.",
    "IMPORT": "Reading or writing files (COPY, EXPORT, IMPORT) is not allowed.",
    "VACUUM": "Maintenance statements (VACUUM, CHECKPOINT) are not allowed.",
    "CHECKPOINT": "Maintenance statements (VACUUM, CHECKPOINT) are not allowed.",
    "FORCE_CHECKPOINT": "Maintenance statements (VACUUM, CHECKPOINT) are not allowed.",
    "CREATE": "Creating, changing or dropping tables, views or other objects is not allowed.",
    "DROP": "Creating, changing or dropping tables, views or other objects is not allowed.",
    "ALTER": "Creating, changing or dropping tables, views or other objects is not allowed.",
    "TRUNCATE": "Creating, changing or dropping tables, views or other objects is not allowed.",
    "COMMENT": "Creating, changing or dropping tables, views or other objects is not allowed.",
    "ABORT": "Transactions are not allowed: every query runs on its own read-only snapshot.",
}

# Table functions that run SQL held in a string: the guard could not see that SQL.
STRING_SQL_FUNCTIONS = frozenset({"query", "query_table"})

FILES_MESSAGE = (
    "Reading or writing files is not allowed: query the warehouse's tables (schema.table)."
)

# sqlglot logs a warning for every statement it keeps as a raw command; the guard refuses those
logging.getLogger("sqlglot").setLevel(logging.ERROR)


class RefusedStatement(ValueError):
    """The statement is not a single read-only query; the message says what is allowed."""


@dataclass(frozen=True)
class CheckedQuery:
    """A statement the guard accepted: ``sql`` is what will run."""

    sql: str
    tables: tuple[str, ...]


def _refuse(reason: str) -> RefusedStatement:
    return RefusedStatement(f"{reason} {ALLOWED}")


def _kind_message(node: exp.Expression) -> str | None:
    for kinds, message in REFUSED_KINDS:
        if isinstance(node, kinds):
            return message
    if isinstance(node, exp.Command):
        word = str(node.this).strip().split()[0].upper() if str(node.this).strip() else ""
        return COMMAND_MESSAGES.get(word, f"{word or 'This'} statements are not allowed.")
    return None


def _parse(sql: str) -> list[exp.Expression]:
    try:
        return [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as error:
        first = str(error).splitlines()[0]
        if sql.strip().split()[0].upper() in COMMAND_MESSAGES:
            raise _refuse(COMMAND_MESSAGES[sql.strip().split()[0].upper()]) from error
        raise _refuse(f"The statement could not be parsed ({first}).") from error


def _check_tree(statement: exp.Expression) -> None:
    for node in statement.walk():
        message = _kind_message(node)
        if message:
            raise _refuse(message)
        if isinstance(node, exp.Anonymous | exp.Func) and _function_name(node) in (
            STRING_SQL_FUNCTIONS
        ):
            raise _refuse(
                "Running SQL held in a string (query, query_table) is not allowed: "
                "write the query itself."
            )
        if isinstance(node, exp.Table) and _names_a_file(node):
            raise _refuse(FILES_MESSAGE)


def _names_a_file(table: exp.Table) -> bool:
    """A FROM item written as a path or URL (DuckDB would scan the file it names)."""
    name = table.this
    if isinstance(name, exp.Literal) and name.is_string:
        return True
    text = name.name if isinstance(name, exp.Identifier) else ""
    return any(mark in text for mark in ("/", "\\", "://", ".")) or text.startswith("~")


def _function_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return node.sql_name().lower() if isinstance(node, exp.Func) else ""


def _duckdb_agrees(sql: str) -> None:
    """DuckDB's own parser must see exactly one SELECT in what will run."""
    con = duckdb.connect(":memory:")
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as error:
        raise _refuse(f"DuckDB could not parse the statement ({error}).") from error
    finally:
        con.close()
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        kinds = ", ".join(s.type.name for s in statements)
        raise _refuse(f"DuckDB reads this as {kinds or 'nothing'}, not one query.")


def check_statement(sql: str) -> CheckedQuery:
    """Accept ``sql`` if it is exactly one read-only query; raise :class:`RefusedStatement`."""
    if not sql or not sql.strip().strip(";").strip():
        raise _refuse("There is nothing to run.")
    statements = _parse(sql)
    if not statements:
        raise _refuse("There is nothing to run (only comments).")
    if len(statements) > 1:
        raise _refuse(f"Only one statement at a time: this text holds {len(statements)}.")
    statement = statements[0]
    first_word = sql.strip().split()[0].strip(";").upper()
    message = _kind_message(statement)
    if not isinstance(statement, QUERY_TYPES) and first_word in COMMAND_MESSAGES:
        message = COMMAND_MESSAGES[first_word]
    if message:
        raise _refuse(message)
    if not isinstance(statement, QUERY_TYPES):
        kind = statement.key.upper()
        raise _refuse(f"{kind} statements are not allowed.")
    _check_tree(statement)
    rendered = statement.sql(dialect="duckdb", comments=False)
    _duckdb_agrees(rendered)
    tables = tuple(sorted({t.sql(dialect="duckdb") for t in statement.find_all(exp.Table)}))
    return CheckedQuery(rendered, tables)
