"""Comparing revisions: a unified diff that names the changed part, and a word diff."""

from __future__ import annotations

from qapress.articles.diff import WordChange, unified_diff, word_diff
from qapress.articles.fields import ArticleFields
from qapress.generate.draft import FaqItem

OLD = ArticleFields(
    title="Heat 2",
    lead="The sequel is coming.",
    text="First.\n\nSecond.",
    faq=(FaqItem("When?", "In 2026."),),
)


def test_equal_revisions_have_an_empty_diff() -> None:
    assert unified_diff(OLD, OLD, "a", "b") == ""


def test_a_unified_diff_shows_the_changed_lines_with_their_labels() -> None:
    new = ArticleFields(
        title="Heat 2",
        lead="The sequel is coming.",
        text="First.\n\nSecond, edited.",
        faq=(FaqItem("When?", "In 2027."),),
    )
    diff = unified_diff(OLD, new, "revision 1", "revision 2").splitlines()
    assert diff[0] == "--- revision 1" and diff[1] == "+++ revision 2"
    assert "-  Second." in diff and "+  Second, edited." in diff
    assert "-A1: In 2026." in diff and "+A1: In 2027." in diff
    assert " title: Heat 2" not in diff[:2]


def test_a_word_diff_marks_only_the_changed_words() -> None:
    changes = word_diff("Filming starts in May in Los Angeles.", "Filming starts in June in Los Angeles.")
    assert WordChange("removed", "May") in changes and WordChange("added", "June") in changes
    old = "".join(c.text for c in changes if c.kind != "added")
    new = "".join(c.text for c in changes if c.kind != "removed")
    assert old == "Filming starts in May in Los Angeles." and new == "Filming starts in June in Los Angeles."
