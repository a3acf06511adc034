"""Authoring: an agency fills in, checks and publishes a correct report.

``prose`` (section text as paragraphs, narratives, titles), ``forms`` (the 填报 XLSX), ``ledger`` (the
依申请公开 台账 → table 三) and ``draft`` (a new report, from last year's).
"""
