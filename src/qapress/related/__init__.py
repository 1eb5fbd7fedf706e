"""The "Related articles" block's stored lists: computed once per publish or edit (bounded), by
``qapress worker`` for imports and stale lists, read by the ``related_articles`` native query."""
