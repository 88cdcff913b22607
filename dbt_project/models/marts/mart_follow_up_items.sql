{#- 督办事项 and what became of them: one row per item an issued briefing opened, with its replies
    (整改反馈) and its state today (China Standard Time): closed (销号), replied, overdue (no reply
    after its deadline) or open (not yet due). A reply is on time when its file arrived by the deadline. -#}
with

items as (

    select * from {{ ref('stg_supervision__follow_up_items') }}

),

replies as (

    select * from {{ ref('stg_ingest__follow_up_replies') }}

),

file_loads as (

    select * from {{ ref('stg_ingest__file_loads') }}

),

received as (

    select
        replies.item_id,
        replies.measures,
        replies.expected_completion,
        replies.asks_closure,
        replies.load_id,
        file_loads.received_at + interval '{{ var("local_utc_offset_hours") }} hours' as received_at
    from replies
    inner join file_loads on replies.load_id = file_loads.load_id and file_loads.load_status = 'loaded'

),

ranked as (

    select
        *,
        row_number() over (partition by item_id order by load_id desc) as recency,
        count(*) over (partition by item_id) as replies,
        min(received_at) over (partition by item_id) as first_reply_at
    from received

),

replies_by_item as (

    select
        item_id,
        replies,
        first_reply_at,
        measures as latest_measures,
        expected_completion,
        asks_closure
    from ranked
    where recency = 1

),

final as (

    select
        cast(items.item_id as varchar) as item_id,
        cast(items.plan_id as varchar) as plan_id,
        cast(items.opened_period as date) as opened_period,
        cast(items.issue_number as integer) as issue_number,
        cast(items.subject_kind as varchar) as subject_kind,
        cast(items.subject_id as varchar) as subject_id,
        cast(items.subject as varchar) as subject,
        cast(items.region_code as varchar) as region_code,
        cast(items.department_id as varchar) as department_id,
        cast(items.department_name as varchar) as department_name,
        cast(items.ask as varchar) as ask,
        cast(items.reply_due as date) as reply_due,
        cast(items.item_state as varchar) as item_state,
        cast(items.closed_at as timestamp) as closed_at,
        cast(items.close_reason as varchar) as close_reason,
        cast(coalesce(replies_by_item.replies, 0) as integer) as replies,
        cast(replies_by_item.first_reply_at as timestamp) as first_reply_at,
        cast(replies_by_item.latest_measures as varchar) as latest_measures,
        cast(replies_by_item.expected_completion as date) as expected_completion,
        cast(replies_by_item.asks_closure as boolean) as asks_closure,
        cast(
            coalesce(cast(replies_by_item.first_reply_at as date) <= items.reply_due, false) as boolean
        ) as replied_on_time,
        cast(
            case
                when items.item_state = 'closed' then 'closed'
                when replies_by_item.first_reply_at is not null then 'replied'
                when
                    cast(current_timestamp at time zone 'UTC' + interval '{{ var("local_utc_offset_hours") }} hours' as date)
                    > items.reply_due
                    then 'overdue'
                else 'open'
            end as varchar
        ) as follow_up_status
    from items
    left join replies_by_item on items.item_id = replies_by_item.item_id

)

select * from final
