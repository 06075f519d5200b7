{%- set check_statuses = {
    0: 'pending', 1: 'approved', 2: 'rejected', 3: 'in review', 4: 'withdrawn',
    5: 'not submitted', 6: 'created', 7: 'deleted', 8: 'voided'
} -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'contracts') }}

),

latest as (

    {{ latest_version('source', ['contract_id']) }}

),

renamed as (

    select
        cast(contract_id as bigint) as contract_id,
        cast(num as varchar) as contract_no,
        cast(name as varchar) as contract_name,
        cast(customer_id as varchar) as customer_id,
        cast(business_id as bigint) as opportunity_id,
        cast(order_date as date) as signed_date,
        cast(start_time as date) as start_date,
        cast(end_time as date) as end_date,
        -- CRM contract money is gross (价税合计); the net needs the VAT rate of every line,
        -- which only the ERP order has
        cast(money as decimal(18, 2)) as amount_gross,
        cast(received_money as decimal(18, 2)) as received_amount_gross,
        cast(unreceived_money as decimal(18, 2)) as unreceived_amount_gross,
        cast(check_status as integer) as check_status,
        cast(owner_user_id as bigint) as owner_user_id,
        cast(create_time as timestamp) as created_at,
        cast(update_time as timestamp) as updated_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        contract_id,
        contract_no,
        contract_name,
        customer_id,
        opportunity_id,
        signed_date,
        start_date,
        end_date,
        amount_gross,
        received_amount_gross,
        unreceived_amount_gross,
        check_status,
        {{ decode('check_status', check_statuses) }} as check_status_name,
        check_status = 1 as is_approved,
        check_status in (7, 8) as is_deleted,
        owner_user_id,
        created_at,
        updated_at,
        source_file,
        loaded_at
    from renamed

)

select * from final
