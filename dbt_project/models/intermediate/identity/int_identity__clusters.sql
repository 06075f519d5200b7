-- Connected components of the link graph: every record that takes part in a link, with the
-- smallest record key it can reach (its cluster). Records without links are their own cluster
-- and are not listed. A recursive walk over both directions of every link (`union` drops
-- repeated rows, so cycles end); the same SQL runs on DuckDB and PostgreSQL.

with recursive

links as (

    select
        left_record_key,
        right_record_key
    from {{ ref('int_identity__links') }}

),

edges as (

    select
        left_record_key as from_key,
        right_record_key as to_key
    from links
    union
    select
        right_record_key as from_key,
        left_record_key as to_key
    from links

),

reachable (record_key, reached_key) as (

    select
        from_key as record_key,
        from_key as reached_key
    from edges
    union
    select
        reachable.record_key,
        edges.to_key as reached_key
    from reachable
    inner join edges
        on reachable.reached_key = edges.from_key

),

final as (

    select
        record_key,
        min(reached_key) as cluster_id,
        cast(count(*) as integer) as cluster_size
    from reachable
    group by 1

)

select * from final
