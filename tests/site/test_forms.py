from qapress.site.forms import FormTokens, origin_allowed, rules_text


def test_a_token_is_valid_for_its_article_only() -> None:
    tokens = FormTokens("secret")
    token = tokens.issue(6646098)
    assert tokens.valid(token, 6646098)
    assert not tokens.valid(token, 6646097)
    assert not tokens.valid(token + "x", 6646098)
    assert not FormTokens("another secret").valid(token, 6646098)
    assert not tokens.valid("", 6646098)


def test_posts_from_other_origins_are_refused() -> None:
    origins = {"http://screen.localhost:8000"}
    assert origin_allowed("http://screen.localhost:8000", origins)
    assert origin_allowed(None, origins)
    assert not origin_allowed("https://evil.example", origins)
    assert not origin_allowed("null", origins)


def test_the_rules_text_is_the_seeds() -> None:
    assert rules_text() == "Duplicate URLs are rejected. Up to 5 links per page."
