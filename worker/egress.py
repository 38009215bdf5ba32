"""Where requests may go: the egress policy that keeps jobs from reaching what they must not.

A process model (and, through variables, its end users) chooses the URLs the worker calls,
from inside the cluster network. The policy is checked by `worker.http_client` when a
connection is made, so every request, every redirect hop and every OAuth token request
passes it, and the address checked is the one connected to (no second DNS lookup):

- `check_url`: the URL of each hop: host patterns, port, Camunda's block rules;
- `check_address`: each address the host resolves to; only allowed ones are connected to.

Rules, each kind on its own (a request must pass all of them):

- addresses: the built-in list (`HTTP_DENY_METADATA`, on by default: link-local and cloud
  metadata addresses, and the unspecified addresses that reach the worker's own host), plus
  `HTTP_DENY_ADDRESSES` (CIDR ranges, or `loopback`, `private`, `non-public`, `all`);
  `HTTP_ALLOW_ADDRESSES` lists exceptions that win over both. An IPv6 address carrying an
  IPv4 one (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged by
  both;
- hosts: `HTTP_DENY_HOSTS` patterns (`*.internal`), built-in metadata host names with
  `HTTP_DENY_METADATA`; `HTTP_ALLOW_HOSTS` exceptions win (deny `*` and allow a few names
  for an allow-list);
- ports: `HTTP_DENY_PORTS` (`22,25,8000-8999`), exceptions in `HTTP_ALLOW_PORTS`;
- Camunda's `CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_<NAME>` (substring of the URL),
  `_REGEX_<NAME>` (the whole URL matches) and `_PORT_<NAME>` (a comma list), absolute.
  The URL they see is the URL as sent, with and without its query (Camunda matched it
  before query parameters were added); a rule matching either blocks.

A denial carries the rule that matched and why, never the URL's query or credentials.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yarl

if TYPE_CHECKING:
    from worker.config import ConnectorSettings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

CAMUNDA_BLOCK_PREFIX = "CAMUNDA_CONNECTOR_HTTP_BLOCK_"

# Denied by default (HTTP_DENY_METADATA). Each entry says why; the README repeats the list
# with its sources.
METADATA_RANGES: tuple[tuple[str, str], ...] = (
    (
        "169.254.0.0/16",
        "IPv4 link-local: the metadata service of AWS, Google Cloud, Azure, Oracle, "
        "OpenStack, DigitalOcean and others at 169.254.169.254, AWS ECS task metadata, "
        "EKS Pod Identity",
    ),
    ("fe80::/10", "IPv6 link-local"),
    ("fd00:ec2::254/128", "AWS instance metadata over IPv6"),
    ("fd00:ec2::23/128", "AWS EKS Pod Identity agent over IPv6"),
    ("fd20:ce::254/128", "Google Cloud metadata server over IPv6"),
    ("fd00:42::42/128", "Scaleway metadata over IPv6"),
    ("100.100.100.200/32", "Alibaba Cloud metadata service"),
    ("168.63.129.16/32", "Azure WireServer (platform and VM agent endpoint)"),
    ("192.0.0.192/32", "Oracle Cloud Classic metadata service"),
    ("0.0.0.0/8", "'this host' addresses: a connection to 0.0.0.0 reaches the worker's host"),
    ("::/128", "the unspecified IPv6 address: a connection to it reaches the worker's host"),
)
# Names of metadata services: through a proxy the worker never sees their addresses.
METADATA_HOSTS = (
    "metadata.google.internal",
    "metadata.goog",
    "instance-data.ec2.internal",
    "metadata.tencentyun.com",
)

_NAMED_RANGES: dict[str, tuple[str, ...]] = {
    "loopback": ("127.0.0.0/8", "::1/128"),
    "private": (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "fc00::/7",
    ),
    "all": ("0.0.0.0/0", "::/0"),
}
_NON_PUBLIC = "non-public"
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")


@dataclass(frozen=True, slots=True)
class Denial:
    """Why a destination is refused: the setting that refuses it, and what matched."""

    rule: str
    reason: str

    def message(self, destination: str) -> str:
        """The text of the job's failure for a request to `destination` (an origin)."""
        return (
            f"Blocked by the worker's egress policy ({self.rule}): {destination}: "
            f"{self.reason}; nothing was sent there"
        )


@dataclass(frozen=True, slots=True)
class _Range:
    rule: str
    label: str
    matches: Callable[[IPAddress], bool]


@dataclass(frozen=True, slots=True)
class _BlockRule:
    """One of Camunda's CAMUNDA_CONNECTOR_HTTP_BLOCK_* rules."""

    variable: str
    kind: str
    text: str
    pattern: re.Pattern[str] | None
    ports: tuple[tuple[int, int], ...]


# --- parsing settings (each raises ValueError with the problem) ---


def parse_address_rules(values: Iterable[str]) -> list[str]:
    """Validate CIDR ranges, single addresses and keywords; return them normalized."""
    rules = []
    for value in values:
        text = value.strip().lower()
        if not text:
            continue
        if text not in _NAMED_RANGES and text != _NON_PUBLIC:
            try:
                text = str(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(
                    f"{value!r} is not a CIDR range, an address or one of loopback, private, "
                    "non-public, all"
                ) from None
        rules.append(text)
    return rules


def parse_host_patterns(values: Iterable[str]) -> list[str]:
    """Validate host patterns (`api.example.com`, `*.internal`); return them lowercased."""
    patterns = []
    for value in values:
        text = value.strip().lower().rstrip(".")
        if not text:
            continue
        if any(char.isspace() or char in "/:@?#[]" for char in text):
            raise ValueError(f"{value!r} is not a host name pattern such as *.internal")
        patterns.append(text)
    return patterns


def parse_ports(values: Iterable[str]) -> list[tuple[int, int]]:
    """Validate ports and ranges (`22`, `8000-8999`); return (first, last) pairs."""
    ports = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        first, _, last = text.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            raise ValueError(f"{value!r} is not a port or a range such as 8000-8999") from None
        if not 1 <= low <= high <= 65535:
            raise ValueError(f"{value!r} is not a port (1-65535) or an ascending range")
        ports.append((low, high))
    return ports


def camunda_block_rules(environ: Mapping[str, str]) -> dict[str, str]:
    """Return the CAMUNDA_CONNECTOR_HTTP_BLOCK_* variables of `environ`, validated.

    Raises:
        ValueError: an unknown rule type, an invalid regular expression or port, an empty value.
    """
    rules = {
        name: value for name, value in environ.items() if name.startswith(CAMUNDA_BLOCK_PREFIX)
    }
    for name, value in rules.items():
        _block_rule(name, value)
    return dict(sorted(rules.items()))


def _block_rule(variable: str, value: str) -> _BlockRule:
    kind = variable.removeprefix(CAMUNDA_BLOCK_PREFIX).partition("_")[0]
    if kind not in ("URL", "PORT", "REGEX"):
        raise ValueError(f"{variable}: unknown block rule type {kind!r} (URL, PORT or REGEX)")
    if not value.strip():
        raise ValueError(f"{variable}: is empty")
    pattern = None
    ports: tuple[tuple[int, int], ...] = ()
    if kind == "REGEX":
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise ValueError(f"{variable}: not a regular expression: {exc}") from None
    elif kind == "PORT":
        try:
            ports = tuple(parse_ports(value.split(",")))
        except ValueError as exc:
            raise ValueError(f"{variable}: {exc}") from None
    return _BlockRule(variable, kind, value, pattern, ports)


# --- the policy ---


class EgressPolicy:
    """The checks `worker.http_client` runs on every connection; see the module docstring."""

    def __init__(
        self,
        *,
        deny_metadata: bool = True,
        deny_addresses: Iterable[str] = (),
        allow_addresses: Iterable[str] = (),
        deny_hosts: Iterable[str] = (),
        allow_hosts: Iterable[str] = (),
        deny_ports: Iterable[str] = (),
        allow_ports: Iterable[str] = (),
        block_rules: Mapping[str, str] | None = None,
    ) -> None:
        self._deny: list[_Range] = []
        if deny_metadata:
            self._deny += [
                _network_range("HTTP_DENY_METADATA", cidr, label) for cidr, label in METADATA_RANGES
            ]
        for rule in parse_address_rules(deny_addresses):
            self._deny += _ranges("HTTP_DENY_ADDRESSES", rule)
        self._allow = [
            item
            for rule in parse_address_rules(allow_addresses)
            for item in _ranges("HTTP_ALLOW_ADDRESSES", rule)
        ]
        self._deny_hosts = [("HTTP_DENY_HOSTS", p) for p in parse_host_patterns(deny_hosts)]
        if deny_metadata:
            self._deny_hosts += [("HTTP_DENY_METADATA", name) for name in METADATA_HOSTS]
        self._allow_hosts = parse_host_patterns(allow_hosts)
        # One expression per list answers "does any pattern match?" in one step; the
        # matching deny rule is looked for only then, to name it.
        self._any_allowed_host = _any_pattern(self._allow_hosts)
        self._any_denied_host = _any_pattern(pattern for _, pattern in self._deny_hosts)
        self._deny_ports = parse_ports(deny_ports)
        self._allow_ports = parse_ports(allow_ports)
        self._block_rules = [
            _block_rule(name, value) for name, value in sorted((block_rules or {}).items())
        ]

    @classmethod
    def from_settings(cls, settings: ConnectorSettings) -> EgressPolicy:
        """The policy the connector settings describe."""
        return cls(
            deny_metadata=settings.deny_metadata,
            deny_addresses=settings.deny_addresses,
            allow_addresses=settings.allow_addresses,
            deny_hosts=settings.deny_hosts,
            allow_hosts=settings.allow_hosts,
            deny_ports=settings.deny_ports,
            allow_ports=settings.allow_ports,
            block_rules=settings.camunda_block_rules,
        )

    def check_url(self, url: yarl.URL) -> Denial | None:
        """Check the host name, port and URL text of one request (or redirect hop)."""
        host = (url.raw_host or "").lower().rstrip(".")
        port = url.port
        if self._any_denied_host(host) and not self._any_allowed_host(host):
            for rule, pattern in self._deny_hosts:
                if fnmatch.fnmatchcase(host, pattern):
                    return Denial(rule, f"the host {host} matches {pattern!r}")
        if port is not None and not _in_ports(port, self._allow_ports):
            for low, high in self._deny_ports:
                if low <= port <= high:
                    span = "" if low == high else f" (in {low}-{high})"
                    return Denial("HTTP_DENY_PORTS", f"port {port} is denied{span}")
        if not self._block_rules:
            return None
        texts = {str(url), str(url.with_query(None).with_fragment(None))}
        for block in self._block_rules:
            if block.kind == "PORT" and port is not None and _in_ports(port, block.ports):
                return Denial(block.variable, f"port {port} is blocked")
            if block.kind == "URL" and any(block.text in text for text in texts):
                return Denial(block.variable, "the URL contains a blocked text")
            regex = block.pattern
            if regex is not None and any(regex.fullmatch(text) for text in texts):
                return Denial(block.variable, "the URL matches a blocked pattern")
        return None

    def check_address(self, address: str) -> Denial | None:
        """Check one address a host resolved to (or an address written in the URL)."""
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return Denial("HTTP_DENY_ADDRESSES", f"{address!r} is not an IP address")
        candidates = [ip, *_embedded_ipv4(ip)]
        if any(allowed.matches(candidate) for allowed in self._allow for candidate in candidates):
            return None
        for denied in self._deny:
            for candidate in candidates:
                if denied.matches(candidate):
                    via = "" if candidate is ip else f" (it carries the IPv4 address {candidate})"
                    return Denial(denied.rule, f"the address {ip}{via} is {denied.label}")
        return None


def _any_pattern(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A test of whether a host matches any of `patterns`, as `fnmatchcase` matches."""
    translated = [fnmatch.translate(pattern) for pattern in patterns]
    if not translated:
        return lambda _host: False
    expression = re.compile("|".join(f"(?:{text})" for text in translated))
    return lambda host: expression.match(host) is not None


def _network_range(rule: str, cidr: str, label: str = "") -> _Range:
    network = ipaddress.ip_network(cidr)
    return _Range(
        rule,
        f"in {network} ({label})" if label else f"in {network}",
        lambda ip: ip.version == network.version and ip in network,
    )


def _ranges(rule: str, text: str) -> list[_Range]:
    if text == _NON_PUBLIC:
        return [_Range(rule, "not a public address (non-public)", lambda ip: not ip.is_global)]
    cidrs = _NAMED_RANGES.get(text, (text,))
    label = text if text in _NAMED_RANGES else ""
    return [_network_range(rule, cidr, label) for cidr in cidrs]


def _in_ports(port: int, ports: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> bool:
    return any(low <= port <= high for low, high in ports)


def _embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, NAT64, 6to4, compatible)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]
    if ip in _NAT64 or (ip in _COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found
