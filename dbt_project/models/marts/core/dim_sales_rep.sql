-- The contracted face of int_sales__reps: the rows are built there (joins of
-- staging models belong in intermediate) and published here under this mart's contract.

with

sales_rep as (

    select * from {{ ref('int_sales__reps') }}

),

final as (

    select
        sales_rep_id,
        sales_rep_name,
        dept_id,
        dept_name,
        parent_dept_name,
        user_role,
        status_name,
        is_active,
        joined_date
    from sales_rep

)

select * from final
