-- Win rate per sales rep at the as-of date: won / (won + lost) over opportunities closed
-- by then. Invalid closes (not a real sales chance) are counted but left out of the rate.

{{ win_rate_report('sales_rep_id', 'bigint') }}
