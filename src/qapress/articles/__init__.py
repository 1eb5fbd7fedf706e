"""The article lifecycle: editing with a version check, revisions, publishing states and scheduling.

Modules, one concept each: ``fields`` (the editable fields, pure), ``diff`` (comparing two revisions, pure),
``transitions`` (which publishing action applies to which status, pure), ``publishable`` (the grounding
rule every publication passes), ``editing`` (save with a version check, revisions, restore),
``publishing`` (publish, schedule, unpublish, withdraw) and ``scheduler`` (the worker's pass that publishes
what is due, exactly once with several workers).

Functions that change an article take an open connection (the caller owns the transaction: use
``qapress.store.begin_write`` so SQLite takes its write lock up front) and an ``actor_id`` (the newsroom's
user id, or ``None`` for the command line and the worker), and return a frozen dataclass saying what
happened, for the caller's audit log.
"""
