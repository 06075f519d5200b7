{#- The as-of date configured for date-dependent finance models, as a `YYYY-MM-DD` string, or
    an empty string when none is set.

    Order of precedence: the dbt var `as_of_date` (`--vars '{as_of_date: 2026-06-30}'`) when set
    and not empty, then the environment variable TANDEM_AS_OF_DATE that orchestration/settings.py defines (the pipeline
    passes its environment to dbt). When both are empty, int_finance_as_of falls back to the
    latest invoice date, so a build over the sample data ages receivables at its period end. -#}
{% macro configured_as_of_date() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- set value = '' if value is none else (value | string | trim) -%}
    {%- if value == '' -%}
        {%- set value = env_var('TANDEM_AS_OF_DATE', '') | trim -%}
    {%- endif -%}
    {%- if value != '' and not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date / TANDEM_AS_OF_DATE must be a date written YYYY-MM-DD, got '"
            ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}


{#- Days an approved CRM contract may wait for its ERP sales order before the silo alert
    reports it. The ERP order follows the signing by 0-3 days (up to 5 over weekends and
    holidays in the sample), so a week leaves no false alarm from ordinary lag. Override with
    `--vars '{order_to_cash_gap_days: 14}'`. -#}
{% macro order_to_cash_gap_days() -%}
    {%- set days = var('order_to_cash_gap_days', 7) | int -%}
    {%- if days < 0 -%}
        {{ exceptions.raise_compiler_error(
            "order_to_cash_gap_days must be 0 or more days, got " ~ days
        ) }}
    {%- endif -%}
    {{ return(days) }}
{%- endmacro %}


{#- Receivable aging bucket of an open amount from its days past the due date (as-of date minus
    due date): not yet due, then 0-30, 31-60, 61-90 and over 90 days past due. Due today is 0
    days past due. Null days (no due date) give null. -#}
{% macro aging_bucket(days_past_due) -%}
    case
        when {{ days_past_due }} is null then null
        when {{ days_past_due }} < 0 then 'not_due'
        when {{ days_past_due }} <= 30 then '0-30'
        when {{ days_past_due }} <= 60 then '31-60'
        when {{ days_past_due }} <= 90 then '61-90'
        else '90+'
    end
{%- endmacro %}
