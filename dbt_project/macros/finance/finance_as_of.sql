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
