"""``jianhe survey``: many institutions' batches in one run, and one summary ranking them.

discover (batches in a folder) → run (each batch through engine.api.validate, in parallel, its own
reports) → aggregate / model (the cross-submission summary) → render_json / render_html / render_xlsx.
"""
