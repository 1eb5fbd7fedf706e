"""Source sentences retold shorter (``compress.retellings``): reported speech loses its "that"."""

from __future__ import annotations

from qapress.generate.compress import retellings


def test_a_warning_is_retold_without_that() -> None:
    found = retellings("The engineers warn that the old dam is weak.")
    assert "The engineers warn the old dam is weak." in found
