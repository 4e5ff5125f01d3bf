"""Where webhooks may not go: loopback, private, link-local, multicast and reserved addresses.

A host name is checked at registration and again at every send: the sender's HTTP client
resolves through `GuardedResolver`, so the addresses checked are the ones it connects to (a name
that resolves to a public address at registration and to 127.0.0.1 later is refused then).
`CHATDESK_WEBHOOKS_ALLOW_PRIVATE=true` lifts the guard (a receiver on the same network, the tests).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import ResolveResult
from aiohttp.resolver import ThreadedResolver


class RefusedTarget(OSError):
    """A webhook address the guard refuses, in plain words."""


def refusal(address: str) -> str | None:
    """What kind of address `address` (an IP address) is if it may not receive webhooks ("a loopback
    address"), or None when it may."""
    ip: Any = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "reserved", "unspecified", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"{'an' if kind == 'unspecified' else 'a'} {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


def _host(url: str) -> str:
    host = urlsplit(url).hostname
    if not host:
        raise RefusedTarget("The address has no host.")
    return host


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def check_addresses(host: str, addresses: list[str]) -> None:
    """Refuse `host` if any of its addresses may not receive webhooks."""
    for address in addresses:
        kind = refusal(address)
        if kind:
            where = "it is" if host == address else f"it resolves to {address},"
            raise RefusedTarget(f"Webhooks may not go to {host}: {where} {kind}.")


def check_literal(url: str, allow_private: bool) -> None:
    """At send time, before connecting: a URL naming an IP address is checked here (the HTTP
    client does not resolve one); a name is checked by `GuardedResolver`."""
    host = _host(url)
    if not allow_private and _literal(host):
        check_addresses(host, [host])


async def check_url(url: str, allow_private: bool) -> None:
    """At registration: the host resolves, and (unless private targets are allowed) to public addresses only."""
    host = _host(url)
    if _literal(host):
        addresses = [host]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except socket.gaierror:
            raise RefusedTarget(f"The host {host} could not be found.") from None
        addresses = sorted({str(info[4][0]) for info in infos})
    if not allow_private:
        check_addresses(host, addresses)


class GuardedResolver(ThreadedResolver):
    """aiohttp's resolver, refusing a host any of whose addresses the guard refuses."""

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        check_addresses(host, [result["host"] for result in results])
        return results
