-- Win rate per channel at the as-of date: won / (won + lost) over opportunities closed
-- by then. Invalid closes (not a real sales chance) are counted but left out of the rate.

{{ win_rate_report('channel', 'varchar') }}
