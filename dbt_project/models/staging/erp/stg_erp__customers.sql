with

source as (

    select * from {{ raw_source('raw_erp', 'customers') }}

),

latest as (

    {{ latest_version('source', ['customer_code']) }}

),

renamed as (

    select
        cast(customer_code as varchar) as erp_customer_code,
        cast(customer_name as varchar) as customer_name,
        cast(credit_code as varchar) as credit_code,
        cast(customer_group as varchar) as customer_group,
        cast(region as varchar) as region,
        cast(industry as varchar) as industry,
        cast(salesperson as varchar) as salesperson,
        cast(phone as varchar) as phone,
        cast(address as varchar) as address,
        cast(disabled_status as varchar) as disabled_status,
        cast(created_date as date) as created_date,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

normalised as (

    select
        *,
        {{ normalise_tax_id('credit_code') }} as tax_id,
        {{ normalise_company_name('customer_name') }} as name_normalised,
        {{ normalise_phone('phone') }} as phone_normalised
    from renamed

),

final as (

    select
        erp_customer_code,
        customer_name,
        name_normalised,
        credit_code,
        tax_id,
        {{ is_valid_tax_id('tax_id') }} as is_valid_tax_id,
        customer_group,
        {{ decode('customer_group', {'企业': 'company', '个人': 'individual'}) }} as customer_type,
        customer_group = '个人' as is_individual,
        region,
        industry,
        salesperson,
        phone,
        phone_normalised,
        address,
        disabled_status,
        {{ decode('disabled_status', {'A': 'enabled', 'B': 'disabled'}) }} as disabled_status_name,
        disabled_status = 'B' as is_disabled,
        created_date,
        source_file,
        loaded_at
    from normalised

)

select * from final
