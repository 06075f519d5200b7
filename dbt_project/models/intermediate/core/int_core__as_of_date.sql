{%- set configured = configured_as_of_date() -%}

-- The one as-of date of the whole warehouse: aging, DSO, the silo alert, stuck deals, open
-- pipeline and the customer 360 all agree on "today". Configured (dbt var as_of_date or
-- TANDEM_AS_OF_DATE), else the latest business day either system recorded, so a build over a
-- finished extract looks at its last day (today while nothing has landed).

with

business_days as (

    select max(invoice_date) as latest_date from {{ ref('stg_erp__sales_invoices') }}

    union all

    select max(order_date) as latest_date from {{ ref('stg_erp__sales_orders') }}

    union all

    select max(cast(changed_at as date)) as latest_date
    from {{ ref('stg_crm__opportunity_stage_changes') }}

    union all

    select max(cast(created_at as date)) as latest_date from {{ ref('stg_crm__activities') }}

    union all

    select max(cast(created_at as date)) as latest_date from {{ ref('stg_crm__leads') }}

),

latest as (

    select cast(max(latest_date) as date) as latest_data_date
    from business_days

),

final as (

    select
        {% if configured -%}
            cast('{{ configured }}' as date) as as_of_date,
            'configured' as as_of_source,
        {%- else -%}
            -- nothing landed yet: today, so date-dependent models still have a date
            cast(coalesce(latest_data_date, current_date) as date) as as_of_date,
            case
                when latest_data_date is null then 'today' else 'latest_data'
            end as as_of_source,
        {%- endif %}
        latest_data_date
    from latest

)

select * from final
