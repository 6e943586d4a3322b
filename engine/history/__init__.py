"""``jianhe history``: quality over time from past reports — per institution and period, failures
per rule and table, rules new / fixed / recurring, trends.

load (report.json files) → model (periods per institution) → render_json / render_html.
"""
