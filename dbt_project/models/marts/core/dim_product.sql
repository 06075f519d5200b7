with

products as (

    select * from {{ ref('stg_erp__products') }}

),

final as (

    select
        cast(product_code as varchar) as product_code,
        cast(product_name as varchar) as product_name,
        cast(specification as varchar) as specification,
        cast(product_group as varchar) as product_group,
        cast(unit_of_measure as varchar) as unit_of_measure,
        cast(case when is_service then 'service' else 'goods' end as varchar) as product_type,
        cast(is_service as boolean) as is_service,
        cast(tax_rate_pct as integer) as tax_rate_pct,
        cast(list_price_net as decimal(18, 2)) as list_price_net,
        cast(list_price_gross as decimal(18, 2)) as list_price_gross,
        cast(unit_cost as decimal(18, 2)) as unit_cost,
        cast(list_price_net - unit_cost as decimal(18, 2)) as list_margin_per_unit
    from products

)

select * from final
