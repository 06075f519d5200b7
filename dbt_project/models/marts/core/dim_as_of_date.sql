-- The warehouse's as-of date, published for readers outside dbt (the Python models, the
-- dashboards, analysts): one row, with where it came from. The date itself is decided once in
-- int_core__as_of_date, which every date-dependent model of the build reads.

with

as_of as (

    select * from {{ ref('int_core__as_of_date') }}

),

final as (

    select
        as_of_date,
        cast(as_of_source as {{ dbt.type_string() }}) as as_of_source,
        latest_data_date
    from as_of

)

select * from final
