import pytest

from qapress.site.domains import Domain, DomainDirectory, HostPolicy, normalize_host

NEWS = Domain(1, "news.localhost", "Newsroom")
SCREEN = Domain(7, "screen.localhost", "Screen Q&A")


@pytest.mark.parametrize(
    ("header", "host"),
    [
        ("Screen.Localhost:8000", "screen.localhost"),
        ("screen.localhost.", "screen.localhost"),
        ("[::1]:80", "[::1]"),
    ],
)
def test_host_headers_are_normalized(header: str, host: str) -> None:
    assert normalize_host(header) == host


def test_known_hosts_name_their_site_whatever_the_policy() -> None:
    directory = DomainDirectory(
        [NEWS, SCREEN], HostPolicy(pinned_host="news.localhost", unknown_host_404=True)
    )
    assert directory.resolve("screen.localhost:8000") == SCREEN


def test_unknown_hosts_get_the_pinned_then_the_default_then_the_first_site() -> None:
    assert (
        DomainDirectory([NEWS, SCREEN], HostPolicy(pinned_host="screen.localhost")).resolve("127.0.0.1")
        == SCREEN
    )
    assert DomainDirectory([NEWS, SCREEN], HostPolicy(default_host="screen.localhost")).resolve("x") == SCREEN
    assert DomainDirectory([SCREEN, NEWS]).resolve("127.0.0.1:8000") == NEWS


def test_unknown_hosts_can_get_404() -> None:
    assert DomainDirectory([NEWS], HostPolicy(unknown_host_404=True)).resolve("evil.example") is None
    assert DomainDirectory([]).resolve("anything") is None
