"""The client's address: X-Forwarded-For believed only from configured proxies."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from journal.client_ip import resolve

PROXY = "10.0.0.1"


@pytest.mark.parametrize(
    ("remote", "forwarded", "config", "expected"),
    [
        # Nothing configured: the header is ignored, whatever it says.
        ("203.0.113.5", "198.51.100.1", {}, "203.0.113.5"),
        # A configured proxy: the right-most address that is not a proxy.
        (PROXY, "198.51.100.1", {"proxies": (PROXY,)}, "198.51.100.1"),
        (PROXY, "1.1.1.1, 198.51.100.1", {"proxies": (PROXY,)}, "198.51.100.1"),
        (PROXY, "198.51.100.1, 10.0.0.2", {"proxies": ("10.0.0.0/8",)}, "198.51.100.1"),
        # A peer that is not a proxy cannot forward anything.
        ("203.0.113.5", "198.51.100.1", {"proxies": (PROXY,)}, "203.0.113.5"),
        # Junk in the chain is skipped; every hop ours gives the left-most.
        (PROXY, "not-an-ip, 198.51.100.1", {"proxies": (PROXY,)}, "198.51.100.1"),
        (PROXY, "10.0.0.9", {"proxies": ("10.0.0.0/8",)}, "10.0.0.9"),
        (PROXY, "", {"proxies": (PROXY,)}, PROXY),
        # A count: the client is that many entries from the right.
        (PROXY, "6.6.6.6, 198.51.100.1", {"proxy_count": 1}, "198.51.100.1"),
        (PROXY, "6.6.6.6, 198.51.100.1, 10.0.0.2", {"proxy_count": 2}, "198.51.100.1"),
        (PROXY, "", {"proxy_count": 1}, PROXY),
        # IPv6, ports and mapped addresses.
        ("::1", "[2001:db8::7]:443", {"proxies": ("::1",)}, "2001:db8::7"),
        (PROXY, "198.51.100.1:5555", {"proxies": (PROXY,)}, "198.51.100.1"),
        ("::ffff:203.0.113.5", "", {}, "203.0.113.5"),
        ("garbage", "198.51.100.1", {"proxies": (PROXY,)}, None),
    ],
)
def test_the_client_address(remote, forwarded, config, expected):
    assert resolve(remote, forwarded, **config) == expected


@override_settings(JOURNAL={"TRUSTED_PROXIES": ["10.0.0.0/33"]})
def test_a_bad_proxy_network_stops_the_site_at_start_up():
    with pytest.raises(SystemCheckError, match="journal.E001"):
        call_command("check")


@pytest.mark.django_db
@override_settings(JOURNAL={"PROXY_COUNT": 1})
def test_a_proxy_count_gives_each_visitor_their_own_rate_limit(client, post):
    post.journal.rate_limit_per_minute = 1
    post.journal.save()
    from tests.factories import human_form_fields

    responses = [
        client.post(
            f"/{post.journal.name}/{post.pk}/comment/",
            {"body": f"visitor {n}", **human_form_fields(post)},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, 198.51.100.{n % 2}",
        )
        for n in range(3)
    ]

    # Two visitors post once each; the first visitor's second comment is
    # refused (the form sends them back to the post page to say so).
    assert [response.status_code for response in responses] == [302, 302, 303]
    refused = client.get(responses[2]["Location"]).content.decode()
    assert "You are commenting too fast" in refused
    assert post.comments.count() == 2
