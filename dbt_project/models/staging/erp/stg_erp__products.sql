with

source as (

    select * from {{ raw_source('raw_erp', 'products') }}

),

latest as (

    {{ latest_version('source', ['product_code']) }}

),

final as (

    select
        cast(product_code as varchar) as product_code,
        cast(product_name as varchar) as product_name,
        cast(specification as varchar) as specification,
        cast(product_group as varchar) as product_group,
        cast(unit_of_measure as varchar) as unit_of_measure,
        cast(tax_rate_pct as integer) as tax_rate_pct,
        is_service = '是' as is_service,
        -- ERP prices are net of VAT; the gross list price is what a customer pays
        cast(list_price as decimal(18, 2)) as list_price_net,
        cast(round(list_price * (100 + tax_rate_pct) / 100, 2) as decimal(18, 2))
            as list_price_gross,
        cast(unit_cost as decimal(18, 2)) as unit_cost,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

)

select * from final
