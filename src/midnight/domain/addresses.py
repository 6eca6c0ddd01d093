"""Network addresses people type: every spelling of a host brought to one form, and what kind of
address it is — public, or loopback, private, link-local, ... One classification, used both to keep
customers' contact addresses off the shop's own network (adapters/contacts.py) and to keep the
shop's printers on it (domain/printing.py).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Final

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAME: Final = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*")
_NUMERIC_NAME: Final = re.compile(r"[0-9a-fx.]+")

# The shop's own network: private IPv4 (RFC 1918) and unique-local IPv6 (RFC 4193); link-local
# addresses (a printer that gave itself one) are judged by is_link_local.
LOCAL_NETWORKS: Final = tuple(
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
# Link-local or unique-local, but the cloud's metadata service (credentials of the server itself).
METADATA: Final = frozenset(
    (address.version, int(address))
    for address in (ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254"))
)
BROADCAST: Final = ipaddress.IPv4Address("255.255.255.255")


def normal_host(host: str) -> str:
    """host as the resolver will see it: an IP address in standard form or an ASCII name.

    Every spelling that reaches an address without DNS ends up as that address: [::1],
    fe80::1%eth0, 2130706433, 0x7f.1, 0177.0.0.1, 127.1, and full-width digits, which the IDNA
    encoding Python applies before resolving turns into ASCII. ValueError if it is neither.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    try:
        name = text.encode("idna").decode("ascii").lower().removesuffix(".")
    except UnicodeError:
        raise ValueError(host) from None
    if not _NAME.fullmatch(name):
        raise ValueError(host)
    if _NUMERIC_NAME.fullmatch(name):
        try:
            # The C library's inet_aton: the same parser getaddrinfo uses for numeric hosts.
            return str(ipaddress.IPv4Address(socket.inet_aton(name)))
        except OSError:
            pass
    return name


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), judged instead of it."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def address_kind(address: IPAddress) -> str | None:
    """What kind of non-public address this is ("a loopback address"...), None if public."""
    embedded = embedded_ipv4(address)
    if embedded is not None:
        return address_kind(embedded)
    for kind, test in (
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
    ):
        if test:
            return kind
    if not address.is_global:  # carrier-grade NAT, IPv6 site-local and the rest
        return "not a public address"
    return None


def local_network_refusal(address: IPAddress, *, loopback: bool = False) -> str | None:
    """Why a device on the shop's own network (a printer) can't be at `address`, or None if it can:
    a private (RFC 1918, unique-local) or link-local address, but not the cloud metadata service.
    An IPv4-mapped IPv6 address is judged as its IPv4 address; `loopback` lets this machine's own
    addresses through too (tests and a fake printer, never a shop)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if (address.version, int(address)) in METADATA:
        return f"{address}, the cloud's metadata service"
    if address == BROADCAST:
        return f"{address}, the broadcast address"
    if loopback and address.is_loopback:
        return None
    kind = address_kind(address)
    if kind == "a link-local address":
        return None
    if kind == "a private address":
        if any(address.version == net.version and address in net for net in LOCAL_NETWORKS):
            return None
        return f"{address}, a special-purpose address (not a local network's)"
    return f"{address}, {kind or 'a public address'}"
