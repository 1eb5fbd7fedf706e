from qapress.site.body import Block, parse_body


def test_paragraphs_are_split_on_blank_lines_and_lines_joined() -> None:
    assert parse_body("One\nline.\n\n  Two.  \n\n\n") == [Block("p", "One line."), Block("p", "Two.")]


def test_markdown_style_headings_become_h2_and_h3() -> None:
    text = "## What Heat 2 is about\n\nIt adapts the novel.\n\n### Cast\n\nDriver."
    assert parse_body(text) == [
        Block("h2", "What Heat 2 is about"),
        Block("p", "It adapts the novel."),
        Block("h3", "Cast"),
        Block("p", "Driver."),
    ]


def test_markup_in_text_stays_text() -> None:
    assert parse_body("<script>alert(1)</script>") == [Block("p", "<script>alert(1)</script>")]


def test_empty_text_has_no_blocks() -> None:
    assert parse_body("  \n\n ") == []
