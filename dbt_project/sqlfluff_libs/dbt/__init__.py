"""Stand-ins for dbt's cross-database macros, so sqlfluff can render models without dbt."""


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart: str, interval: str, from_date_or_timestamp: str) -> str:
    return f"{from_date_or_timestamp} + interval ({interval}) {datepart}"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def safe_cast(field: str, type: str) -> str:
    return f"try_cast({field} as {type})"


def type_string() -> str:
    return "varchar"
