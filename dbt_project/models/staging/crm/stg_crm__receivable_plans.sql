{%- set received_statuses = {0: 'due', 1: 'paid', 2: 'partial', 3: 'void', 4: 'overdue'} -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'receivable_plans') }}

),

latest as (

    {{ latest_version('source', ['plan_id']) }}

),

renamed as (

    select
        cast(plan_id as bigint) as receivable_plan_id,
        cast(num as varchar) as instalment_no,
        cast(contract_id as bigint) as contract_id,
        cast(customer_id as varchar) as customer_id,
        cast(money as decimal(18, 2)) as planned_amount_gross,
        cast(return_date as date) as due_date,
        cast(real_received_money as decimal(18, 2)) as received_amount_gross,
        cast(received_status as integer) as received_status,
        cast(create_time as timestamp) as created_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        receivable_plan_id,
        instalment_no,
        contract_id,
        customer_id,
        planned_amount_gross,
        due_date,
        received_amount_gross,
        received_status,
        {{ decode('received_status', received_statuses) }} as received_status_name,
        received_status = 1 as is_paid,
        received_status = 4 as is_overdue,
        -- a void plan is WukongCRM's soft delete of an instalment
        received_status = 3 as is_deleted,
        created_at,
        source_file,
        loaded_at
    from renamed

)

select * from final
