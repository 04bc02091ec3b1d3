"""Which URLs the bot will talk to: https anywhere, plain http only to this machine.

Used for the addresses the bot fetches or posts to (Microsoft's signing-key metadata, an
activity's serviceUrl): plain http is allowed only on loopback, where local tools and the
tests' fake services listen, so nothing the bot sends or trusts crosses a network unencrypted.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def is_secure_url(url: str) -> bool:
    """An absolute https URL, or http to a loopback host; never one carrying credentials."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or parts.username is not None or parts.password is not None:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and is_loopback_host(host)


def is_loopback_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    return bool(host) and is_loopback_host(host or "")
