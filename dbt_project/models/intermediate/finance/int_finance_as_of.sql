{%- set configured = configured_as_of_date() -%}

-- The one as-of date every date-dependent finance model reads, so aging, DSO and the silo
-- alert always agree on "today". Always exactly one row.

with

invoices as (

    select * from {{ ref('stg_erp__sales_invoices') }}

),

latest_invoice as (

    select max(invoice_date) as latest_invoice_date
    from invoices

),

final as (

    select
        {% if configured -%}
            cast('{{ configured }}' as date) as as_of_date,
            'configured' as as_of_source
        {%- else -%}
            cast(latest_invoice_date as date) as as_of_date,
            'latest_invoice' as as_of_source
        {%- endif %}
    from latest_invoice

)

select * from final
