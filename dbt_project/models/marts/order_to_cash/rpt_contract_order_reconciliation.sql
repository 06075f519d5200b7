-- The contracted face of int_order_to_cash__contract_matches: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

contract_order_reconciliation as (

    select * from {{ ref('int_order_to_cash__contract_matches') }}

),

final as (

    select
        contract_id,
        contract_no,
        crm_customer_id,
        customer_key,
        signed_date,
        as_of_date,
        age_days,
        match_status,
        gap_days_threshold,
        order_count,
        first_order_date,
        order_lag_days,
        contract_amount_gross,
        order_amount_gross,
        order_amount_net,
        order_tax_amount,
        gross_difference,
        is_amount_reconciled
    from contract_order_reconciliation

)

select * from final
