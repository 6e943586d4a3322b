"""Two-sided reconciliation (对账) of debt-side records against creditor / registry records.

``config`` resolves a reconcile rule's parameters, ``sql`` classifies every record in one
query, ``monthly`` restricts a run to the keys that changed since last month's agreed data,
``routing`` decides who follows a finding up, ``run`` executes a pack's reconcile rules on a
folder, ``model`` is the results model the renderers (``render_*``) read, and ``cli`` is the
``jianhe reconcile`` command.
"""
