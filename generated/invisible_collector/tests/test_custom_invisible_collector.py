"""Hand-written tests of invisible_collector_client.

specgen created this file once and never overwrites it: add tests here for behaviour the spec
cannot express. The helpers in _invisible_collector_support.py (generated) give a client on a mock transport.
"""

from _invisible_collector_support import API_KEY, Exchange, client


def test_repr_never_shows_the_api_key() -> None:
    with client(Exchange()) as api:
        assert API_KEY not in repr(api)
