{%- set check_statuses = {
    0: 'pending', 1: 'approved', 2: 'rejected', 3: 'in review', 4: 'withdrawn',
    5: 'not submitted', 6: 'created', 7: 'deleted', 8: 'voided'
} -%}
{%- set payment_methods = {
    '支票': 'cheque', '现金': 'cash', '电汇': 'wire transfer', '网上转账': 'online transfer',
    '支付宝': 'alipay', '微信支付': 'wechat pay'
} -%}

with

source as (

    select * from {{ raw_source('raw_crm', 'receivables') }}

),

latest as (

    {{ latest_version('source', ['receivables_id']) }}

),

renamed as (

    select
        cast(receivables_id as bigint) as receivable_id,
        cast(number as varchar) as receivable_no,
        cast(contract_id as bigint) as contract_id,
        cast(customer_id as varchar) as customer_id,
        cast(plan_id as bigint) as receivable_plan_id,
        cast(return_time as date) as received_date,
        cast(return_type as varchar) as payment_method,
        cast(money as decimal(18, 2)) as amount_gross,
        cast(check_status as integer) as check_status,
        cast(create_time as timestamp) as created_at,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

final as (

    select
        receivable_id,
        receivable_no,
        contract_id,
        customer_id,
        receivable_plan_id,
        received_date,
        payment_method,
        {{ decode('payment_method', payment_methods) }} as payment_method_name,
        amount_gross,
        check_status,
        {{ decode('check_status', check_statuses) }} as check_status_name,
        check_status = 1 as is_approved,
        check_status in (7, 8) as is_deleted,
        created_at,
        source_file,
        loaded_at
    from renamed

)

select * from final
