-- A calendar over every day the finance facts can touch: the first order, invoice or receipt
-- to the later of the last due date and the as-of date (int_core__calendar_bounds). Generated
-- with portable SQL (five cross-joined digit tables, up to 100,000 days) so it builds on DuckDB
-- and PostgreSQL alike.

with

bounds as (

    select * from {{ ref('int_core__calendar_bounds') }}

),

digits as (

    select 0 as digit
    union all
    select 1
    union all
    select 2
    union all
    select 3
    union all
    select 4
    union all
    select 5
    union all
    select 6
    union all
    select 7
    union all
    select 8
    union all
    select 9

),

day_offsets as (

    select
        units.digit
        + 10 * tens.digit
        + 100 * hundreds.digit
        + 1000 * thousands.digit
        + 10000 * ten_thousands.digit as day_offset
    from digits as units
    cross join digits as tens
    cross join digits as hundreds
    cross join digits as thousands
    cross join digits as ten_thousands

),

days as (

    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'bounds.start_date') }} as date)
            as date_day
    from day_offsets
    cross join bounds
    where
        day_offsets.day_offset <= {{ dbt.datediff('bounds.start_date', 'bounds.end_date', 'day') }}

),

parts as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(isodow from date_day) as integer) as iso_day_of_week,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date
    from days

),

final as (

    select
        cast(date_day as date) as date_day,
        cast(year_number as integer) as year_number,
        cast(quarter_number as integer) as quarter_number,
        cast(month_number as integer) as month_number,
        cast(day_of_month as integer) as day_of_month,
        cast(iso_day_of_week as integer) as iso_day_of_week,
        cast(iso_day_of_week >= 6 as boolean) as is_weekend,
        cast(month_start_date as date) as month_start_date,
        cast(
            {{ dbt.dateadd('day', '-1', dbt.dateadd('month', '1', 'month_start_date')) }} as date
        ) as month_end_date,
        cast(
            cast(year_number as varchar) || '-' || lpad(cast(month_number as varchar), 2, '0')
            as varchar
        ) as fiscal_period
    from parts

)

select * from final
