"""Data access for the dashboard pages: one module per page or area, SQL and nothing else.

Every function takes the reader's ``Filters`` and returns polars frames or plain values through
the per-build cache (``dashboards.serving.cached_query``); rendering stays in the pages.
"""
