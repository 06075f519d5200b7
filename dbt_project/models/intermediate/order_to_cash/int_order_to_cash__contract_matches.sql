{%- set gap_days = order_to_cash_gap_days() -%}

-- Every approved CRM contract signed by the as-of date against the ERP orders that carry its
-- number. CRM contract money is gross (价税合计), so it is compared with the orders' gross
-- amount, never with their net 金额.

with

as_of as (

    select as_of_date from {{ ref('int_core__as_of_date') }}

),

contracts as (

    select contracts.*
    from {{ ref('stg_crm__contracts') }} as contracts
    cross join as_of
    where
        contracts.is_approved
        and not contracts.is_deleted
        and contracts.signed_date <= as_of.as_of_date

),

orders as (

    select orders.*
    from {{ ref('int_order_to_cash__orders') }} as orders
    cross join as_of
    where orders.order_date <= as_of.as_of_date

),

customer_keys as (

    select
        source_record_id as crm_customer_id,
        customer_key
    from {{ ref('int_identity__customer_key_map') }}
    where source_system = 'crm'

),

orders_per_contract as (

    select
        crm_contract_no,
        count(*) as order_count,
        min(order_date) as first_order_date,
        sum(net_amount) as net_amount,
        sum(tax_amount) as tax_amount,
        sum(gross_amount) as gross_amount
    from orders
    where crm_contract_no is not null
    group by crm_contract_no

),

matched as (

    select
        contracts.contract_id,
        contracts.contract_no,
        contracts.customer_id,
        customer_keys.customer_key,
        contracts.signed_date,
        contracts.amount_gross,
        as_of.as_of_date,
        coalesce(orders_per_contract.order_count, 0) as order_count,
        orders_per_contract.first_order_date,
        orders_per_contract.net_amount as order_net_amount,
        orders_per_contract.tax_amount as order_tax_amount,
        orders_per_contract.gross_amount as order_gross_amount,
        {{ dbt.datediff('contracts.signed_date', 'as_of.as_of_date', 'day') }} as age_days  -- noqa: LT05
    from contracts
    cross join as_of
    left join orders_per_contract
        on contracts.contract_no = orders_per_contract.crm_contract_no
    left join customer_keys
        on cast(contracts.customer_id as varchar) = customer_keys.crm_customer_id

),

final as (

    select
        cast(contract_id as bigint) as contract_id,
        cast(contract_no as varchar) as contract_no,
        cast(customer_id as varchar) as crm_customer_id,
        cast(customer_key as varchar) as customer_key,
        cast(signed_date as date) as signed_date,
        cast(as_of_date as date) as as_of_date,
        cast(age_days as integer) as age_days,
        cast(
            case
                when order_count > 0 then 'matched'
                when age_days <= {{ gap_days }} then 'awaiting_order'
                else 'missing_order'
            end as varchar
        ) as match_status,
        cast({{ gap_days }} as integer) as gap_days_threshold,
        cast(order_count as bigint) as order_count,
        cast(first_order_date as date) as first_order_date,
        cast({{ dbt.datediff('signed_date', 'first_order_date', 'day') }} as integer)  -- noqa: LT05
            as order_lag_days,
        cast(amount_gross as decimal(18, 2)) as contract_amount_gross,
        cast(order_gross_amount as decimal(18, 2)) as order_amount_gross,
        cast(order_net_amount as decimal(18, 2)) as order_amount_net,
        cast(order_tax_amount as decimal(18, 2)) as order_tax_amount,
        cast(amount_gross - order_gross_amount as decimal(18, 2)) as gross_difference,
        cast(abs(amount_gross - order_gross_amount) <= 0.01 as boolean) as is_amount_reconciled
    from matched

)

select * from final
