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

from dashboards.i18n import t

# the guard's messages live in the label catalogue (dashboards/i18n_tools.py): the exception
# says them in English, the page in the reader's language
ALLOWED = t("guard.allowed", lang="en")

QUERY_TYPES: tuple[type[exp.Expression], ...] = (exp.Select, exp.SetOperation, exp.Values)

# Statement kinds a query may never contain, each with the label of what the user tried to do.
REFUSED_KINDS: tuple[tuple[tuple[type[exp.Expression], ...], str], ...] = (
    ((exp.Copy, exp.Export), "guard.copy"),
    ((exp.Attach, exp.Detach, exp.Use), "guard.attach"),
    ((exp.Install,), "guard.extensions"),
    ((exp.Set, exp.Pragma), "guard.settings"),
    ((exp.Create, exp.Drop, exp.Alter, exp.TruncateTable, exp.Comment), "guard.ddl"),
    ((exp.Insert, exp.Update, exp.Delete, exp.Merge), "guard.dml"),
    ((exp.Transaction, exp.Commit, exp.Rollback), "guard.transaction"),
)

# Statements sqlglot keeps as raw commands, by their first word: the label of each refusal.
COMMAND_MESSAGES = {
    "LOAD": "guard.extensions",
    "INSTALL": "guard.extensions",
    "FORCE": "guard.extensions",
    "RESET": "guard.settings",
    "CALL": "guard.call",
    "EXPORT": "guard.copy",
    "IMPORT": "guard.import",
    "VACUUM": "guard.maintenance",
    "CHECKPOINT": "guard.maintenance",
    "FORCE_CHECKPOINT": "guard.maintenance",
    "CREATE": "guard.ddl",
    "DROP": "guard.ddl",
    "ALTER": "guard.ddl",
    "TRUNCATE": "guard.ddl",
    "COMMENT": "guard.ddl",
    "ABORT": "guard.transaction",
}

# Table functions that run SQL held in a string: the guard could not see that SQL.
STRING_SQL_FUNCTIONS = frozenset({"query", "query_table"})

# sqlglot logs a warning for every statement it keeps as a raw command; the guard refuses those
logging.getLogger("sqlglot").setLevel(logging.ERROR)


class RefusedStatement(ValueError):
    """The statement is not a single read-only query; the message says what is allowed.

    ``label_key`` names the reason in the label catalogue (``label_values`` fill it); ``str``
    of the error is the English text, :meth:`in_language` the reader's.
    """

    def __init__(self, label_key: str, **label_values: object) -> None:
        self.label_key, self.label_values = label_key, label_values
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str | None = None) -> str:
        """The reason and what the workbench allows, in ``lang`` (the reader's by default)."""
        return f"{t(self.label_key, lang, **self.label_values)} {t('guard.allowed', lang)}"


@dataclass(frozen=True)
class CheckedQuery:
    """A statement the guard accepted: ``sql`` is what will run."""

    sql: str
    tables: tuple[str, ...]


def _refuse(label_key: str, **values: object) -> RefusedStatement:
    return RefusedStatement(label_key, **values)


def _kind_refusal(node: exp.Expression) -> RefusedStatement | None:
    """The refusal of a statement kind a query may never contain (None: the node is allowed)."""
    for kinds, label_key in REFUSED_KINDS:
        if isinstance(node, kinds):
            return _refuse(label_key)
    if isinstance(node, exp.Command):
        word = str(node.this).strip().split()[0].upper() if str(node.this).strip() else ""
        if word in COMMAND_MESSAGES:
            return _refuse(COMMAND_MESSAGES[word])
        return _refuse("guard.statement_kind", kind=word or "This")
    return None


def _parse(sql: str) -> list[exp.Expression]:
    try:
        return [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
    except ParseError as error:
        first = str(error).splitlines()[0]
        if sql.strip().split()[0].upper() in COMMAND_MESSAGES:
            raise _refuse(COMMAND_MESSAGES[sql.strip().split()[0].upper()]) from error
        raise _refuse("guard.unparsed", error=first) from error


def _check_tree(statement: exp.Expression) -> None:
    for node in statement.walk():
        refusal = _kind_refusal(node)
        if refusal:
            raise refusal
        if isinstance(node, exp.Anonymous | exp.Func) and _function_name(node) in (
            STRING_SQL_FUNCTIONS
        ):
            raise _refuse("guard.string_sql")
        if isinstance(node, exp.Table) and _names_a_file(node):
            raise _refuse("guard.files")


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
        raise _refuse("guard.duckdb_unparsed", error=error) from error
    finally:
        con.close()
    if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
        kinds = ", ".join(s.type.name for s in statements)
        raise _refuse("guard.duckdb_kinds", kinds=kinds or "nothing")


def check_statement(sql: str) -> CheckedQuery:
    """Accept ``sql`` if it is exactly one read-only query; raise :class:`RefusedStatement`."""
    if not sql or not sql.strip().strip(";").strip():
        raise _refuse("guard.empty")
    statements = _parse(sql)
    if not statements:
        raise _refuse("guard.only_comments")
    if len(statements) > 1:
        raise _refuse("guard.many", count=len(statements))
    statement = statements[0]
    first_word = sql.strip().split()[0].strip(";").upper()
    refusal = _kind_refusal(statement)
    if not isinstance(statement, QUERY_TYPES) and first_word in COMMAND_MESSAGES:
        refusal = _refuse(COMMAND_MESSAGES[first_word])
    if refusal:
        raise refusal
    if not isinstance(statement, QUERY_TYPES):
        raise _refuse("guard.statement_kind", kind=statement.key.upper())
    _check_tree(statement)
    rendered = statement.sql(dialect="duckdb", comments=False)
    _duckdb_agrees(rendered)
    tables = tuple(sorted({table.sql(dialect="duckdb") for table in statement.find_all(exp.Table)}))
    return CheckedQuery(rendered, tables)
