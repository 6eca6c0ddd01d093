"""Contact addresses people type (Apprise URLs), checked before they are stored and again before use.

An Apprise URL names a service and, for some services, a server of the typist's choosing.
The server then connects wherever that URL points, so a URL typed by a person must not point
into our own network (SSRF), and the URL's credentials must not be shown to whoever can read it.

Which part of a URL is a server we connect to is read from the Apprise plugin itself, after
Apprise has parsed the URL, never from the raw text: `ntfy://localhost` is the topic "localhost"
on ntfy.sh, while `tgram://123456789:ABC/42` has the bot token where a URL's host would be.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, unquote, urlsplit

import apprise
import apprise.plugins
import apprise.utils.http
import apprise.utils.parse

from midnight.domain import addresses
from midnight.domain.errors import InvalidInput

FIELD: Final = "contacts"
MAX_LENGTH: Final = 1000

# Apprise's own helpers are untyped; these typed names keep that at one place.
_url_to_dict: Any = apprise.plugins.url_to_dict
_apprise_thinks_public: Any = apprise.utils.http.is_public_ip_address
_plugin_manager: Any = apprise.NotificationManager  # a singleton: every call returns the same one
_split_urls: Any = apprise.utils.parse.parse_urls

# --- which services a customer's contact may use -------------------------------------------
#
# Personal channels only: each reaches one person (an inbox, a phone number, a chat, a phone's
# push app). Left out on purpose: json/xml/form and every other "call this web address"
# service, team channels (Slack, Discord, Teams, Mattermost, Rocket.Chat: a webhook posts into
# a shared room), relays that forward anywhere (apprise://, ifttt://, sns:// topics), and
# self-hosted gateways that normally sit on a private network (smseagle://, evolution://).
# An owner can widen this with ContactPolicy(schemes=...).

_EMAIL: Final = frozenset(
    {
        "mailto",
        "mailtos",  # SMTP; the server is checked like any other host
        # Transactional e-mail APIs a shop may send through; each has a fixed API endpoint.
        "sendgrid",
        "mailgun",
        "ses",
        "postmark",
        "resend",
        "brevo",
        "sparkpost",
        "smtp2go",
        "mailersend",
    }
)

# Apprise's SMS gateways: every one has a phone-number target token (the tests check this)
# and a fixed cloud endpoint, except infobip, whose per-account host is checked.
_SMS: Final = frozenset(
    {
        "46elks",
        "elks",
        "atalk",
        "bulksms",
        "bulkvs",
        "burstsms",
        "kudosity",
        "clickatell",
        "clicksend",
        "cm",
        "d7sms",
        "eight00com",
        "exotel",
        "gupshup",
        "httpsms",
        "infobip",
        "kaleyra",
        "klr",
        "kavenegar",
        "mobilemessage",
        "mobilemsg",
        "msg91",
        "msgbird",
        "nexmo",
        "vonage",
        "notifyre",
        "octopush",
        "plivo",
        "ringc",
        "serwersms",
        "seven",
        "sinch",
        "smsc",
        "smsmanager",
        "smsmgr",
        "smstunnel",
        "telesign",
        "telnyx",
        "twilio",
        "voipms",
    }
)

# Chat apps that deliver to one person. Signal and Matrix name a server (checked); Matrix
# additionally needs ?discovery=no unless private addresses are allowed (see below).
_CHAT: Final = frozenset(
    {"tgram", "whatsapp", "whapi", "signal", "signals", "line", "threema", "viber", "matrix", "matrixs"}
)

# Push to a person's phone. ntfy, Gotify and Bark can be self-hosted; their host is checked.
_PUSH: Final = frozenset(
    {
        "pover",
        "ntfy",
        "ntfys",
        "gotify",
        "gotifys",
        "pbul",
        "psafer",
        "psafers",
        "prowl",
        "simplepush",
        "spush",
        "join",
        "bark",
        "barks",
    }
)

DEFAULT_SCHEMES: Final[frozenset[str]] = _EMAIL | _SMS | _CHAT | _PUSH


_EXAMPLES = ("mailto", "mailtos", "tgram", "whatsapp", "signal", "twilio", "ntfy", "pover")


@dataclass(frozen=True)
class ContactPolicy:
    """What a person may type as a contact address."""

    schemes: frozenset[str] = DEFAULT_SCHEMES  # lower case, e.g. "mailto", "tgram"
    allow_private: bool = False  # loopback, link-local, private, multicast... refused unless True


@dataclass(frozen=True)
class Contact:
    """A contact address that passed check_contact."""

    url: str  # the full URL, with its secrets, as Apprise needs it to send
    display: str  # the same URL with every credential masked, safe to show anyone
    scheme: str
    same_as: str = ""  # Apprise's own spelling of the address: two contacts alike here are one


@functools.cache
def known_schemes() -> frozenset[str]:
    """Every scheme this installation of Apprise can send to (the owner's own staff targets).

    The delivery worker passes ContactPolicy(schemes=known_schemes()) to check_destination for
    staff targets, which check_contact accepted with any_scheme=True.
    """
    manager = _plugin_manager()
    return frozenset(str(scheme).lower() for scheme in manager.schemas(include_disabled=False))


def check_contact(text: str, policy: ContactPolicy, *, any_scheme: bool = False) -> Contact:
    """The contact a person typed, or InvalidInput saying what is wrong with it. Never uses DNS."""
    url = _clean(text)
    results, plugin = _parse(url)
    # The parsed scheme, not plugin.schema: some plugins overwrite that with "http(s)", and
    # for a pasted web address (https://ntfy.sh/topic) this is the service's own scheme.
    scheme = str(results["schema"]).lower()
    allowed = known_schemes() if any_scheme else policy.schemes
    if scheme not in allowed:
        shown = sorted(allowed)
        listed = (
            ", ".join(shown)
            if len(shown) <= 12
            else ", ".join(s for s in _EXAMPLES if s in allowed) + " and more"
        )
        raise InvalidInput(
            f"{scheme}:// addresses cannot be used as contacts here (allowed kinds: {listed}; "
            "the owner decides which kinds are allowed)",
            field=FIELD,
        )
    _refuse_server_side_loads(plugin)
    if not policy.allow_private:
        _refuse_remote_redirection(results, plugin)
        # What the address says, too, not only what Apprise made of it: some plugins read a host they
        # cannot use ("ntfy://127.1:8799/t") as a topic on their public server instead.
        typed = _typed_host(url)
        for host in [*_destinations(plugin), *([typed] if typed else [])]:
            reason = _spelling_refusal(host)
            if reason is not None:
                raise InvalidInput(
                    f"this address sends to {reason}; a contact must be a public service", field=FIELD
                )
    display = _without_defaults(_privacy_form(results, plugin))
    return Contact(url=url, display=display, scheme=scheme, same_as=str(plugin.url()))


def check_destination(url: str, policy: ContactPolicy) -> str | None:
    """Why the delivery worker must not send to url now, or None when it may.

    Runs check_contact again (the policy or the stored URL may have changed), then resolves each
    server the URL connects to and refuses it if any answer is not a public address.

    DNS rebinding stays possible: Apprise resolves the name again when it connects, and a
    hostile DNS server can answer differently then. Closing that would mean pinning every
    plugin's connection (requests, smtplib, sockets) to the address checked here, which Apprise
    offers only for a few of its own lookups. It is accepted because only signed-in staff can
    store a contact, this check still stops every address that is private by spelling or by
    ordinary DNS, and a firewall on the server's outbound traffic is the complete answer.
    """
    try:
        check_contact(url, policy)
    except InvalidInput as error:
        return f"refused: {error.message}"
    if policy.allow_private:
        return None
    _, plugin = _parse(url.strip())
    for host in _destinations(plugin):
        name = _normal_host(host)
        try:
            answers = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            continue  # not resolvable now: Apprise will fail to connect and report that itself
        for answer in answers:
            address = ipaddress.ip_address(str(answer[4][0]))
            kind = _address_kind(address)
            if kind is not None:
                return f"refused: {name} resolves to {address}, {kind}"
    return None


def masked(url: str) -> str:
    """The URL with every credential masked: Apprise's privacy form, or scheme://*** if unparsable."""
    try:
        results, plugin = _parse(url.strip())
    except InvalidInput:
        return _opaque(url)
    return _without_defaults(_privacy_form(results, plugin))


# Arguments Apprise adds to every URL it writes out; a person reading an address need not see them.
_GLOBAL_ARGUMENTS = {
    "overflow",
    "format",
    "emojis",
    "rto",
    "cto",
    "verify",
    "tz",
    "store",
    "retry",
    "wait",
    "optional",
}


def _without_defaults(url: str) -> str:
    base, sep, query = url.partition("?")
    if not sep:
        return url
    kept = [part for part in query.split("&") if part and part.split("=", 1)[0] not in _GLOBAL_ARGUMENTS]
    trimmed = base.rstrip("/") if base.endswith("/") and base.count("/") == 3 else base
    return f"{trimmed}?{'&'.join(kept)}" if kept else trimmed


# --- reading the text --------------------------------------------------------------------------

_SCHEME = re.compile(r"([A-Za-z0-9][A-Za-z0-9+.-]{0,31})://")  # Apprise has 46elks://


PLAIN_EMAIL = re.compile(r"[^@\s:/?#]+@[^@\s:/?#]+\.[^@\s:/?#.]+")


def _clean(text: str) -> str:
    url = text.strip()
    if not url:
        raise InvalidInput("type a contact address, for example mailto://name@example.com", field=FIELD)
    if len(url) > MAX_LENGTH:
        raise InvalidInput(
            f"a contact address can be at most {MAX_LENGTH} characters long; this one has {len(url)}",
            field=FIELD,
        )
    # Invisible characters can hide part of an address from whoever reads it back (bidi
    # overrides, zero-width spaces), and a URL never contains raw whitespace.
    if any(ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in url):
        raise InvalidInput(
            "a contact address cannot contain spaces, line breaks or other invisible characters",
            field=FIELD,
        )
    # Apprise.add() splits text into several URLs at commas and semicolons before a scheme
    # ("mailto://a@example.com,json://127.0.0.1/"); only the first would be checked here.
    if len(_split_urls(url)) != 1:
        raise InvalidInput("type one contact address at a time", field=FIELD)
    if "://" not in url and PLAIN_EMAIL.fullmatch(url):
        return "mailto://" + url  # an e-mail address as people write it
    return url


def _parse(url: str) -> tuple[dict[str, Any], Any]:
    """Apprise's parse of url and the plugin instance it makes; InvalidInput if it makes none."""
    results: Any = _url_to_dict(url)
    # Apprise hands the parsed dict to the plugin's constructor; keep our own copy untouched.
    plugin: Any = None if results is None else apprise.Apprise.instantiate(copy.deepcopy(results))
    if plugin is None:
        match = _SCHEME.match(url)
        subject = f"this {match.group(1).lower()}:// address" if match else "this text"
        raise InvalidInput(
            f"{subject} is not a notification address Apprise understands; check it for typos"
            " (an e-mail contact looks like mailto://name@example.com)",
            field=FIELD,
        )
    return dict(results), plugin


# --- where a plugin connects -------------------------------------------------------------------

# Where a plugin connects instead of its URL host, found by reading apprise 2.3.0's plugins.
# E-Mail and Delta Chat: the URL host is the sender's domain, the connection goes to smtp_host
# (?smtp=, else the provider's known SMTP server, else that domain). XMPP: ?xmpp=.
_HOST_OVERRIDES: Final = ("smtp_host", "xmpp_host")

# Servers a plugin reaches besides its URL host. Attribute name -> how the value is written.
_MORE_SERVERS: Final = {
    "endpoint": "host",  # Azure Communication Services: the resource's host
    "blossom": "url",  # Nostr: ?blossom= media server
    "relays": "urls",  # Nostr: ?relay= (Apprise keeps only relays it discovers itself public)
}


def _destinations(plugin: Any) -> list[str]:
    """Every network host the plugin would connect to that the URL chose."""
    overrides = [str(value) for name in _HOST_OVERRIDES if (value := getattr(plugin, name, None))]
    hosts: list[str] = overrides
    # Apprise's own metadata: a plugin whose URL template has a token mapped to `host` connects
    # to that host (json, ntfy, gotify, matrix...). Fixed-endpoint services (tgram, twilio,
    # discord...) map their URL's host part to a token or ID instead, so it is skipped.
    # Mailgun-style sending domains are checked too: a private one would be wrong anyway.
    if not overrides and _declares_host(plugin.__class__) and plugin.host:
        hosts.append(str(plugin.host))
    for attribute, form in _MORE_SERVERS.items():
        value = getattr(plugin, attribute, None)
        if not value:
            continue
        if form == "host":
            hosts.append(str(value))
        else:
            hosts.extend(_url_host(str(url)) for url in ([value] if form == "url" else value))
    if _is_plugin(plugin, "zulip"):
        # Zulip posts to https://{organization}.{hostname}, hostname taken from the URL.
        hosts.append(f"{plugin.organization}.{plugin.hostname}")
    if _is_plugin(plugin, "nostr"):
        # A name@domain recipient is looked up at https://domain/.well-known/nostr.json.
        hosts.extend(str(target).rsplit("@", 1)[1] for target in plugin.targets if "@" in str(target))
    return hosts


def _is_plugin(plugin: Any, scheme: str) -> bool:
    manager = _plugin_manager()
    return scheme in manager and isinstance(plugin, manager[scheme])


@functools.cache
def _declares_host(plugin_class: Any) -> bool:
    tokens: dict[str, dict[str, Any]] = getattr(plugin_class, "template_tokens", {})
    return any(token.get("map_to", key) == "host" for key, token in tokens.items())


def _typed_host(url: str) -> str | None:
    """The host as written between :// and the path, when it is written like a network address
    (with a dot, a colon or brackets) — a bot token or a phone number is not."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    plain = unicodedata.normalize("NFKC", host).lower()
    looks_like_address = "." in plain or ":" in netloc or netloc.startswith("[")
    return host if looks_like_address or plain == "localhost" else None


def _url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url  # checked as a host name, which it is not, so it is refused


# Values Apprise loads before sending, from the server's disk or from a web address:
# ?template= (discord, guilded, slack, tgram, workflows) and key files (fcm) are kept as
# AppriseAttachment objects, which accept file:// and http(s):// alike; PGP keys (?pgppub=,
# ?pgpprv= on e-mail) and Web Push files (vapid) are plain paths.
_FILE_ATTRIBUTES: Final = ("pgp_key", "pgp_privkey", "keyfile", "subfile")


def _refuse_server_side_loads(plugin: Any) -> None:
    loads = any(
        isinstance(value, apprise.AppriseAttachment) and len(value) for value in vars(plugin).values()
    )
    if loads or any(isinstance(getattr(plugin, name, None), str) for name in _FILE_ATTRIBUTES):
        raise InvalidInput(
            "a contact address cannot name files or web pages for the server to load"
            " (template=, pgppub=, pgpprv=, keyfile=)",
            field=FIELD,
        )


def _refuse_remote_redirection(results: dict[str, Any], plugin: Any) -> None:
    """Refuse settings that let the remote server choose where we connect next."""
    # Only an explicit redirect=yes is seen here; by default Apprise follows redirects unless
    # the sender builds Apprise with AppriseAsset(http_redirects=False).
    if results.get("redirect") is True:
        raise InvalidInput(
            "this address asks to follow web redirects, which lets its server send us anywhere;"
            " remove redirect=yes",
            field=FIELD,
        )
    # Matrix over https reads /.well-known/matrix/client and then talks to whatever homeserver
    # that names, which no check before sending can see.
    if getattr(plugin, "discovery", False) and plugin.secure:
        raise InvalidInput(
            "Matrix server discovery lets that server send us to another address;"
            " add ?discovery=no and name the homeserver itself",
            field=FIELD,
        )


# --- is a host private? --------------------------------------------------------------------------

# Names that never reach the public internet: special-use (RFC 6761, 6762, 8375), ICANN's
# private-use .internal, and suffixes that are never delegated (name-collision list).
_LOCAL_SUFFIXES: Final = ("localhost", "local", "internal", "home.arpa", "localdomain", "lan", "home", "corp")


def _spelling_refusal(host: str) -> str | None:
    """Why host is not a public server, judged from its spelling alone; None if it may be."""
    try:
        name = _normal_host(host)
    except ValueError:
        return f"{host!r}, which is not a valid server name"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        kind = _address_kind(address)
        return None if kind is None else f"{host}, {kind}"
    if "." not in name:
        return f"{host}, a local network name (it has no dot)"
    if any(name == suffix or name.endswith("." + suffix) for suffix in _LOCAL_SUFFIXES):
        return f"{host}, a local network name"
    if name.rsplit(".", 1)[1].isdigit():
        return f"{host!r}, which is not a valid server name"
    return None


_normal_host = addresses.normal_host


def _address_kind(address: addresses.IPAddress) -> str | None:
    """What kind of non-public address this is ("a loopback address"...), None if public: the shared
    classification (domain/addresses.py), with Apprise's own test as a second opinion."""
    embedded = addresses.embedded_ipv4(address)
    if embedded is not None:
        return _address_kind(embedded)
    kind = addresses.address_kind(address)
    if kind is None and not _apprise_thinks_public(str(address)):
        return "not a public address"
    return kind


# --- showing a URL -------------------------------------------------------------------------------

_MASK: Final = "****"
_SHORTEST_SECRET: Final = 4  # shorter values are masked by Apprise or not worth mangling the form


def _opaque(url: str) -> str:
    match = _SCHEME.match(url.strip())
    return f"{match.group(1).lower()}://***" if match else "***"


def _privacy_form(results: dict[str, Any], plugin: Any) -> str:
    """Apprise's privacy form, plus masking where Apprise 2.3.0's form still shows secrets.

    Apprise shows free-form prefixed arguments (json's +Authorization=, -param=, :payload=;
    e-mail +headers...) as typed, and ?template= paths although its metadata marks them
    private. So those arguments are masked, and every value the plugin's metadata marks private
    is masked wherever it still appears, in case some plugin prints one.
    """
    shown = str(plugin.url(privacy=True))
    prefixes = {str(kwarg["prefix"]) for kwarg in getattr(plugin, "template_kwargs", {}).values()}
    shown = _mask_prefixed_arguments(shown, prefixes)
    head, separator, tail = shown.partition("://")
    for secret in sorted(_secrets(results, plugin), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret, safe="/")}:
            tail = tail.replace(form, _MASK)
    return head + separator + tail


def _mask_prefixed_arguments(url: str, prefixes: set[str]) -> str:
    base, question, query = url.partition("?")
    if not question or not prefixes:
        return url
    parts = []
    for part in query.split("&"):
        key, equals, _ = part.partition("=")
        parts.append(f"{key}={_MASK}" if equals and unquote(key)[:1] in prefixes else part)
    return f"{base}?{'&'.join(parts)}"


def _secrets(results: dict[str, Any], plugin: Any) -> set[str]:
    """Values the URL carries that Apprise's metadata marks private, or that are free-form."""
    names = {"password"}
    for group in ("template_tokens", "template_args"):
        for key, entry in getattr(plugin, group, {}).items():
            if entry.get("private"):
                names.update({key, str(entry.get("map_to", key))})
    query: dict[str, Any] = results.get("qsd") or {}
    values: list[Any] = [source(name) for name in names for source in (results.get, query.get)]
    values += [getattr(plugin, name, None) for name in names]  # e.g. goalert keeps its key in targets
    for prefix in ("qsd+", "qsd-", "qsd:"):
        values.extend((results.get(prefix) or {}).values())
    return {text for text in _strings(values) if len(text) >= _SHORTEST_SECRET}


def _strings(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, list | tuple | set):
            yield from _strings(value)
