with

source as (

    select * from {{ raw_source('raw_crm', 'customers') }}

),

latest as (

    {{ latest_version('source', ['customer_id']) }}

),

renamed as (

    select
        cast(customer_id as varchar) as customer_id,
        cast(customer_name as varchar) as customer_name,
        cast(owner_user_id as bigint) as owner_user_id,
        cast(deal_status as integer) as deal_status,
        cast(deal_time as timestamp) as first_deal_at,
        cast(mobile as varchar) as mobile,
        cast(telephone as varchar) as telephone,
        cast(email as varchar) as email,
        cast(address as varchar) as address,
        cast(status as integer) as status,
        cast(create_time as timestamp) as created_at,
        cast(update_time as timestamp) as updated_at,
        cast(last_time as timestamp) as last_followup_at,
        cast(pool_time as timestamp) as moved_to_pool_at,
        cast(batch_id as varchar) as batch_id,
        -- flat identity columns of exports other than WukongCRM's (null when absent)
        cast(tax_number as varchar) as tax_number,
        cast(erp_customer_code as varchar) as erp_customer_code_entered,
        _file as source_file,
        _loaded_at as loaded_at
    from latest

),

normalised as (

    select
        *,
        {{ normalise_company_name('customer_name') }} as name_normalised,
        {{ normalise_phone('mobile') }} as mobile_normalised,
        {{ normalise_phone('telephone') }} as telephone_normalised,
        {{ normalise_email('email') }} as email_normalised,
        {{ normalise_tax_id('tax_number') }} as flat_tax_id,
        nullif(upper(trim(erp_customer_code_entered)), '') as flat_erp_customer_code
    from renamed

),

final as (

    select
        customer_id,
        customer_name,
        name_normalised,
        owner_user_id,
        deal_status,
        {{ decode('deal_status', {0: 'never won', 1: 'won'}) }} as deal_status_name,
        deal_status = 1 as has_won_deal,
        first_deal_at,
        mobile,
        mobile_normalised,
        telephone,
        telephone_normalised,
        email,
        email_normalised,
        {{ email_domain('email_normalised') }} as email_domain,
        address,
        status,
        {{ decode('status', {1: 'normal', 2: 'locked', 3: 'deleted'}) }} as status_name,
        status = 2 as is_locked,
        status = 3 as is_deleted,
        moved_to_pool_at is not null as is_in_pool,
        created_at,
        updated_at,
        last_followup_at,
        moved_to_pool_at,
        batch_id,
        flat_tax_id,
        {{ is_valid_tax_id('flat_tax_id') }} as flat_tax_id_is_valid,
        flat_erp_customer_code,
        source_file,
        loaded_at
    from normalised

)

select * from final
