with

source as (

    select * from {{ raw_source('raw_marketing', 'trade_shows') }}

),

latest as (

    {{ latest_version('source', ['show_name', 'start_date']) }}

),

renamed as (

    select
        cast(show_name as varchar) as show_name,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(city as varchar) as city,
        cast(coalesce(booth_cost, 0) as decimal(18, 2)) as booth_cost_yuan,
        cast(coalesce(build_cost, 0) as decimal(18, 2)) as build_cost_yuan,
        cast(coalesce(travel_cost, 0) as decimal(18, 2)) as travel_cost_yuan,
        cast(leads_collected as integer) as leads_collected,
        cast(note as varchar) as note,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        show_name || '-' || cast(start_date as varchar) as trade_show_id,
        show_name,
        start_date,
        end_date,
        -- date - date is a day count on DuckDB and PostgreSQL alike
        cast(end_date - start_date + 1 as integer) as show_days,
        city,
        booth_cost_yuan,
        build_cost_yuan,
        travel_cost_yuan,
        booth_cost_yuan + build_cost_yuan + travel_cost_yuan as total_cost_yuan,
        leads_collected,
        note,
        source_file,
        loaded_at
    from renamed

)

select * from final
