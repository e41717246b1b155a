"""The report: compute tidy tables for labelled agents, render figures and ``report.md``.

Modules: `tables` (`compute_report`: every table the report shows), `render`
(`make_report`, `render_report`: figures) and `markdown` (the text of ``report.md``).
"""
