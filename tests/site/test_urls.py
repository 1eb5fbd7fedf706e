from qapress.site.domains import Domain, DomainDirectory
from qapress.site.urls import SiteURLs, article_path, site_origin

NEWS = Domain(1, "news.localhost", "Newsroom")
SCREEN = Domain(7, "screen.localhost", "Screen Q&A")


def test_origins_default_to_https_and_follow_the_base_url_template() -> None:
    assert site_origin("screen.localhost") == "https://screen.localhost"
    assert site_origin("screen.localhost", base_url="http://{host}:8000/") == "http://screen.localhost:8000"
    assert site_origin("screen.localhost", base_url="http://127.0.0.1:8000") == "http://127.0.0.1:8000"


def test_article_paths_quote_the_slug() -> None:
    assert article_path(5, "heat-2") == "/a/5/heat-2"
    assert article_path(5, "") == "/a/5"
    assert article_path(5, 'x"><b') == "/a/5/x%22%3E%3Cb"
    assert article_path(5, "Ünïcode~_.-1") == "/a/5/%C3%9Cn%C3%AFcode~_.-1"
    assert article_path(5, "line\nbreak") == "/a/5/line%0Abreak", "the unreserved check spans the whole slug"


def test_every_url_is_absolute_and_other_sites_use_their_host() -> None:
    urls = SiteURLs(SCREEN, DomainDirectory([NEWS, SCREEN]), "http", "http://{host}:9000")
    assert urls.home() == "http://screen.localhost:9000/"
    assert urls.home(3) == "http://screen.localhost:9000/?page=3"
    assert urls.article(1, "a", 1) == "http://news.localhost:9000/a/1/a"
    assert urls.article(2, "b") == "http://screen.localhost:9000/a/2/b"
    assert urls.path("/feed.xml") == "http://screen.localhost:9000/feed.xml"


def test_the_network_lists_the_other_sites_and_follows_a_new_directory() -> None:
    directory = DomainDirectory([NEWS, SCREEN])
    urls = SiteURLs(SCREEN, directory, "http", "http://{host}:9000")
    assert urls.network() == (("Newsroom", "http://news.localhost:9000/"),)
    assert SiteURLs(NEWS, directory, "https").network() == (("Screen Q&A", "https://screen.localhost/"),)
    assert urls.network() == (("Newsroom", "http://news.localhost:9000/"),), "each site's own list"
    renamed = DomainDirectory([Domain(1, "news.localhost", "Newsroom Daily"), SCREEN])
    assert SiteURLs(SCREEN, renamed, "http", "http://{host}:9000").network() == (
        ("Newsroom Daily", "http://news.localhost:9000/"),
    )


def test_the_network_items_are_escaped_like_the_template_would() -> None:
    odd = Domain(3, "odd.localhost", 'Q&A <"odd"> site')
    urls = SiteURLs(SCREEN, DomainDirectory([NEWS, odd, SCREEN]), "https")
    assert str(urls.network_items()) == (
        '<li><a href="https://news.localhost/">Newsroom</a></li>'
        '<li><a href="https://odd.localhost/">Q&amp;A &lt;&#34;odd&#34;&gt; site</a></li>'
    )
    assert urls.network_items() is urls.network_items(), "built once per site and directory"
