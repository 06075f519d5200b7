-- Every CRM user (sales reps, service agents, marketing and management) with the team and
-- department they sit in: reps own leads, opportunities and follow-ups, agents own tickets.

with

users as (

    select * from {{ ref('stg_crm__users') }}

),

departments as (

    select * from {{ ref('stg_crm__departments') }}

),

with_departments as (

    select
        users.user_id,
        users.user_name,
        users.dept_id,
        users.status_name,
        users.is_active,
        users.created_at,
        departments.dept_name,
        parent_departments.dept_name as parent_dept_name
    from users
    left join departments
        on users.dept_id = departments.dept_id
    left join departments as parent_departments
        on departments.parent_dept_id = parent_departments.dept_id

),

final as (

    select
        cast(user_id as bigint) as sales_rep_id,
        cast(user_name as varchar) as sales_rep_name,
        cast(dept_id as bigint) as dept_id,
        cast(dept_name as varchar) as dept_name,
        cast(parent_dept_name as varchar) as parent_dept_name,
        cast(
            case
                when '销售部' in (dept_name, parent_dept_name) then 'sales'
                when '客服部' in (dept_name, parent_dept_name) then 'service'
                when '市场部' in (dept_name, parent_dept_name) then 'marketing'
                else 'management'
            end as varchar
        ) as user_role,
        cast(status_name as varchar) as status_name,
        cast(is_active as boolean) as is_active,
        cast(created_at as date) as joined_date
    from with_departments

)

select * from final
