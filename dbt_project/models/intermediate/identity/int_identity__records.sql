-- One row per customer record of the CRM and of the ERP with the attributes identity
-- resolution compares. The Splink step (models_ml/identity.py) reads this table; deterministic
-- links and survivorship in phase 2 read it too. Soft-deleted CRM customers stay in: they are
-- duplicates users retired, and their history must still reach the golden customer.

with

crm_customers as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.name_normalised,
        customers.mobile_normalised,
        customers.telephone_normalised,
        customers.mobile,
        customers.telephone,
        customers.email_normalised,
        customers.address,
        customers.is_deleted,
        customers.created_at,
        customers.updated_at,
        -- WukongCRM keeps both as custom fields; other exports as flat columns of the customer
        coalesce(
            custom_fields.erp_customer_code, customers.flat_erp_customer_code
        ) as erp_customer_code,
        case
            when custom_fields.is_valid_tax_id then custom_fields.tax_id
            when customers.flat_tax_id_is_valid then customers.flat_tax_id
        end as tax_id,
        coalesce(custom_fields.tax_id, customers.flat_tax_id) as tax_id_any
    from {{ ref('stg_crm__customers') }} as customers
    left join {{ ref('stg_crm__customer_fields') }} as custom_fields
        on customers.batch_id = custom_fields.batch_id

),

-- every phone and e-mail a CRM customer is reachable at: its own and its contacts'
crm_phones as (

    select
        customer_id,
        mobile_normalised as phone
    from crm_customers
    union
    select
        customer_id,
        telephone_normalised as phone
    from crm_customers
    union
    select
        customer_id,
        mobile_normalised as phone
    from {{ ref('stg_crm__contacts') }}

),

-- the same phones as typed (extensions, +86, no area code): the Splink step reads them
crm_raw_phones as (

    select
        customer_id,
        mobile as phone
    from crm_customers
    union
    select
        customer_id,
        telephone as phone
    from crm_customers
    union
    select
        customer_id,
        mobile as phone
    from {{ ref('stg_crm__contacts') }}

),

crm_raw_phone_lists as (

    select
        customer_id,
        {{ dbt.listagg('phone', "'|'", 'order by phone') }} as phones_raw
    from crm_raw_phones
    where nullif(trim(phone), '') is not null
    group by 1

),

crm_emails as (

    select
        customer_id,
        email_normalised as email
    from crm_customers
    union
    select
        customer_id,
        email_normalised as email
    from {{ ref('stg_crm__contacts') }}

),

crm_phone_lists as (

    select
        customer_id,
        {{ dbt.listagg('phone', "'|'", 'order by phone') }} as phones
    from crm_phones
    where phone is not null
    group by 1

),

crm_email_lists as (

    select
        customer_id,
        {{ dbt.listagg('email', "'|'", 'order by email') }} as emails
    from crm_emails
    where email is not null
    group by 1

),

crm_records as (

    select
        'crm' as source_system,
        cast(crm_customers.customer_id as varchar) as source_record_id,
        crm_customers.customer_name as record_name,
        crm_customers.name_normalised,
        {{ region_from_address('crm_customers.address') }} as region,
        crm_customers.address,
        coalesce(
            crm_customers.mobile_normalised, crm_customers.telephone_normalised
        ) as primary_phone,
        crm_phone_lists.phones,
        crm_raw_phone_lists.phones_raw,
        cast(null as varchar) as region_field,
        crm_customers.email_normalised as email,
        crm_email_lists.emails,
        crm_customers.tax_id,
        crm_customers.tax_id_any,
        crm_customers.erp_customer_code as claimed_erp_customer_code,
        crm_customers.is_deleted,
        crm_customers.created_at,
        crm_customers.updated_at
    from crm_customers
    left join crm_phone_lists
        on crm_customers.customer_id = crm_phone_lists.customer_id
    left join crm_email_lists
        on crm_customers.customer_id = crm_email_lists.customer_id
    left join crm_raw_phone_lists
        on crm_customers.customer_id = crm_raw_phone_lists.customer_id

),

erp_records as (

    select
        'erp' as source_system,
        erp_customer_code as source_record_id,
        customer_name as record_name,
        name_normalised,
        coalesce(nullif(trim(region), ''), {{ region_from_address('address') }}) as region,
        address,
        phone_normalised as primary_phone,
        phone_normalised as phones,
        nullif(trim(phone), '') as phones_raw,
        nullif(trim(region), '') as region_field,
        cast(null as varchar) as email,
        cast(null as varchar) as emails,
        case when is_valid_tax_id then tax_id end as tax_id,
        tax_id as tax_id_any,
        cast(null as varchar) as claimed_erp_customer_code,
        false as is_deleted,
        cast(created_date as timestamp) as created_at,
        cast(created_date as timestamp) as updated_at
    from {{ ref('stg_erp__customers') }}

),

unioned as (

    select * from crm_records
    union all
    select * from erp_records

),

-- cities seen anywhere: a name ending in `<city>分公司` is a branch of the company before it
cities as (

    select distinct region as city
    from unioned
    where region is not null

),

branch_cities as (

    select
        unioned.source_system,
        unioned.source_record_id,
        max(length(cities.city)) as city_length
    from unioned
    inner join cities
        on unioned.name_normalised like '%' || cities.city || '分公司'
    group by 1, 2

),

unbranched as (

    select
        unioned.*,
        branch_cities.city_length is not null as is_branch,
        case
            when branch_cities.city_length is not null
                then substr(
                    unioned.name_normalised,
                    1,
                    length(unioned.name_normalised) - branch_cities.city_length - 3
                )
            else unioned.name_normalised
        end as name_without_branch
    from unioned
    left join branch_cities
        on
            unioned.source_system = branch_cities.source_system
            and unioned.source_record_id = branch_cities.source_record_id

),

named as (

    select
        *,
        {{ identity_name_base('name_without_branch') }} as name_base
    from unbranched

),

final as (

    select
        source_system || ':' || source_record_id as record_key,
        source_system,
        source_record_id,
        record_name,
        name_normalised,
        name_base,
        {{ identity_name_core('name_base', 'region') }} as name_core,
        is_branch,
        region,
        nullif(lower(replace(replace(trim(address), ' ', ''), '　', '')), '') as address_normalised,
        primary_phone,
        phones,
        phones_raw,
        region_field,
        email,
        emails,
        {{ email_domain('email') }} as email_domain,
        tax_id,
        -- the first 17 characters identify the organisation even when the check digit is wrong
        case when length(tax_id_any) = 18 then substr(tax_id_any, 1, 17) end as tax_id_prefix,
        tax_id_any as tax_id_entered,
        claimed_erp_customer_code,
        cast(is_deleted as boolean) as is_deleted,
        created_at,
        updated_at
    from named

)

select * from final
