-- Part 1 of the churn feature query (read in order by models_ml/features.py): the cutoffs,
-- orders and buyers.
-- One pass for any number of as-of dates: every CTE carries ``as_of`` as a column, so the facts
-- are read and pre-aggregated once and each fact is joined only to the cutoffs it can affect.
-- Results are identical to running the single-date query once per date.
with cutoffs as (
    select
        cast(unnest($cutoffs) as date) as as_of
),

cutoff_ends as (
    -- the last instant of the as-of day: events stamped during it were known
    select
        as_of,
        cast(as_of as timestamp) + interval 1 day - interval 1 microsecond as as_of_end
    from cutoffs
),

order_days as (
    -- lines of one order on one date, once for every cutoff
    select
        customer_key,
        order_id,
        order_date,
        sum(net_amount) as net_amount
    from core.fct_order_lines
    where is_approved and customer_key is not null
    group by customer_key, order_id, order_date
),

whole_orders as (
    select
        customer_key,
        order_id,
        min(order_date) as order_date,
        max(order_date) as last_line_date,
        sum(net_amount) as net_amount
    from order_days
    group by customer_key, order_id
),

first_orders as (
    select
        customer_key,
        min(order_date) as first_order_date
    from whole_orders
    group by customer_key
),

orders as (
    -- an active buyer has an order in the window; earlier orders only set its first order date.
    -- An order dated on one day is the same at every cutoff after it ...
    select
        cutoffs.as_of,
        whole_orders.customer_key,
        whole_orders.order_date,
        whole_orders.net_amount
    from cutoffs
    inner join whole_orders
        on
            whole_orders.last_line_date <= cutoffs.as_of
            and whole_orders.order_date > cutoffs.as_of - greatest($active_days, 365)
    union all
    -- ... one whose lines span days counts only the lines dated by the cutoff
    select
        cutoffs.as_of,
        order_days.customer_key,
        min(order_days.order_date) as order_date,
        sum(order_days.net_amount) as net_amount
    from cutoffs
    inner join whole_orders
        on
            whole_orders.order_date <= cutoffs.as_of
            and whole_orders.last_line_date > cutoffs.as_of
            and whole_orders.order_date > cutoffs.as_of - greatest($active_days, 365)
    inner join order_days
        on
            whole_orders.customer_key = order_days.customer_key
            and whole_orders.order_id = order_days.order_id
            and order_days.order_date <= cutoffs.as_of
    group by cutoffs.as_of, order_days.customer_key, order_days.order_id
),

buyers as (
    select
        orders.as_of,
        orders.customer_key,
        any_value(first_orders.first_order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(*) filter (where orders.order_date > orders.as_of - 90) as orders_3m,
        count(*) filter (
            where orders.order_date > orders.as_of - 180 and orders.order_date <= orders.as_of - 90
        ) as orders_prev_3m,
        count(*) filter (where orders.order_date > orders.as_of - 365) as orders_12m,
        coalesce(sum(orders.net_amount) filter (where orders.order_date > orders.as_of - 90), 0)
            as value_3m,
        coalesce(sum(orders.net_amount) filter (
            where orders.order_date > orders.as_of - 180 and orders.order_date <= orders.as_of - 90
        ), 0) as value_prev_3m,
        coalesce(sum(orders.net_amount) filter (where orders.order_date > orders.as_of - 365), 0)
            as value_12m
    from orders
    inner join first_orders on orders.customer_key = first_orders.customer_key
    group by orders.as_of, orders.customer_key
    having max(orders.order_date) > orders.as_of - $active_days
),

