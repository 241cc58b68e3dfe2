"""The client's network address, the one every rate limit, ban and address hash is keyed on.

Behind the TLS proxy every request comes from the proxy, so ``REMOTE_ADDR`` alone would make
the whole site one client. ``X-Forwarded-For`` is read only as far as trusted proxies wrote it:
each proxy appends the address it was connected from, so the client is the entry that the
outermost trusted proxy appended; anything to its left was sent by the client and may be forged.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip


def client_address(request: HttpRequest) -> str:
    """The address of whoever connected to the outermost trusted proxy (``REMOTE_ADDR`` with no proxy)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies: list[str] = settings.TRUSTED_PROXIES
    count = len(proxies) or settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    # The socket peer is the innermost proxy: put it at the end of the chain, so that counting
    # from the right, and matching TRUSTED_PROXIES, covers every proxy including that one.
    chain = f"{forwarded}, {remote}" if forwarded else remote
    address, _routable = get_client_ip(
        request=_forwarded_only(chain),
        proxy_order="left-most",
        proxy_count=count,
        proxy_trusted_ips=proxies or None,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # No client entry where the proxies should have put one, or a peer that is not a trusted
    # proxy: the request did not come through the proxies, so the peer is the client.
    return address or remote


def _forwarded_only(chain: str) -> HttpRequest:
    """Just enough of a request for ipware: the rebuilt header, and none of the client's other headers."""
    request = HttpRequest()
    request.META = {"HTTP_X_FORWARDED_FOR": chain}
    return request
