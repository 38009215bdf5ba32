"""The egress policy as a pure function: addresses, hosts, ports, Camunda's block rules.

Nothing here connects anywhere: metadata addresses are only classified, never called.
"""

from __future__ import annotations

import pytest
import yarl
from pydantic import ValidationError

from worker.config import ConnectorSettings
from worker.egress import METADATA_RANGES, EgressPolicy, camunda_block_rules

DEFAULT = EgressPolicy()

# (address, rule that denies it by default)
DENIED_BY_DEFAULT = [
    ("169.254.169.254", "HTTP_DENY_METADATA"),  # AWS, GCP, Azure IMDS, OCI, OpenStack, ...
    ("169.254.170.2", "HTTP_DENY_METADATA"),  # AWS ECS task metadata
    ("169.254.170.23", "HTTP_DENY_METADATA"),  # EKS Pod Identity
    ("169.254.42.42", "HTTP_DENY_METADATA"),  # Scaleway
    ("169.254.0.23", "HTTP_DENY_METADATA"),  # Tencent Cloud
    ("169.254.0.1", "HTTP_DENY_METADATA"),
    ("fd00:ec2::254", "HTTP_DENY_METADATA"),  # AWS IMDS over IPv6
    ("fd00:ec2::23", "HTTP_DENY_METADATA"),  # EKS Pod Identity over IPv6
    ("fd20:ce::254", "HTTP_DENY_METADATA"),  # GCP metadata over IPv6
    ("fd00:42::42", "HTTP_DENY_METADATA"),  # Scaleway over IPv6
    ("100.100.100.200", "HTTP_DENY_METADATA"),  # Alibaba Cloud
    ("168.63.129.16", "HTTP_DENY_METADATA"),  # Azure WireServer
    ("192.0.0.192", "HTTP_DENY_METADATA"),  # Oracle Cloud Classic
    ("fe80::1", "HTTP_DENY_METADATA"),
    ("fe80::a9fe:a9fe%eth0", "HTTP_DENY_METADATA"),  # a zone index does not hide it
    ("0.0.0.0", "HTTP_DENY_METADATA"),
    ("0.1.2.3", "HTTP_DENY_METADATA"),
    ("::", "HTTP_DENY_METADATA"),
    # IPv6 spellings that carry a denied IPv4 address
    ("::ffff:169.254.169.254", "HTTP_DENY_METADATA"),
    ("::ffff:a9fe:a9fe", "HTTP_DENY_METADATA"),
    ("64:ff9b::169.254.169.254", "HTTP_DENY_METADATA"),  # NAT64
    ("2002:a9fe:a9fe::1", "HTTP_DENY_METADATA"),  # 6to4
    ("::169.254.169.254", "HTTP_DENY_METADATA"),  # IPv4-compatible (deprecated)
    ("::ffff:100.100.100.200", "HTTP_DENY_METADATA"),
    ("::ffff:0.0.0.0", "HTTP_DENY_METADATA"),
]

ALLOWED_BY_DEFAULT = [
    "127.0.0.1",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.10",
    "100.64.0.1",
    "fd12:3456::1",
    "93.184.216.34",
    "2606:4700::1111",
    "169.253.255.255",
    "169.255.0.0",
    "100.100.100.201",
    "168.63.129.17",
    "fd00:ec2::255",
    "::ffff:10.0.0.1",
]


@pytest.mark.parametrize(("address", "rule"), DENIED_BY_DEFAULT)
def test_metadata_and_link_local_addresses_are_denied_by_default(address: str, rule: str) -> None:
    denial = DEFAULT.check_address(address)
    assert denial is not None
    assert denial.rule == rule


@pytest.mark.parametrize("address", ALLOWED_BY_DEFAULT)
def test_other_addresses_are_allowed_by_default(address: str) -> None:
    assert DEFAULT.check_address(address) is None


def test_every_built_in_range_says_why() -> None:
    for cidr, why in METADATA_RANGES:
        first = cidr.split("/")[0]
        denial = DEFAULT.check_address(first)
        assert denial is not None, cidr
        assert cidr in denial.reason and why in denial.reason


def test_the_built_in_list_can_be_turned_off() -> None:
    policy = EgressPolicy(deny_metadata=False)
    assert policy.check_address("169.254.169.254") is None
    assert policy.check_url(yarl.URL("http://metadata.google.internal/")) is None


@pytest.mark.parametrize(
    ("rules", "address", "denied"),
    [
        (["loopback"], "127.0.0.1", True),
        (["loopback"], "127.255.0.9", True),
        (["loopback"], "::1", True),
        (["loopback"], "::ffff:127.0.0.1", True),
        (["loopback"], "10.0.0.1", False),
        (["private"], "10.0.0.1", True),
        (["private"], "172.31.255.255", True),
        (["private"], "172.32.0.1", False),
        (["private"], "192.168.0.1", True),
        (["private"], "100.64.1.1", True),
        (["private"], "fd12::1", True),
        (["private"], "127.0.0.1", False),
        (["non-public"], "127.0.0.1", True),
        (["non-public"], "192.0.2.1", True),  # TEST-NET
        (["non-public"], "240.0.0.1", True),  # reserved
        (["non-public"], "::ffff:10.0.0.1", True),
        (["non-public"], "93.184.216.34", False),
        (["all"], "93.184.216.34", True),
        (["all"], "2606:4700::1111", True),
        (["10.0.0.0/8"], "10.200.0.1", True),
        (["10.0.0.0/8"], "11.0.0.1", False),
        (["127.0.0.9"], "127.0.0.9", True),
        (["127.0.0.9"], "127.0.0.1", False),
        (["2001:db8::/32"], "2001:db8::5", True),
        (["2001:db8::/32"], "127.0.0.1", False),
    ],
)
def test_address_rules(rules: list[str], address: str, denied: bool) -> None:
    denial = EgressPolicy(deny_metadata=False, deny_addresses=rules).check_address(address)
    assert (denial is not None) is denied
    if denial is not None:
        assert denial.rule == "HTTP_DENY_ADDRESSES"


def test_allowed_addresses_are_exceptions_to_every_address_rule() -> None:
    policy = EgressPolicy(deny_addresses=["all"], allow_addresses=["127.0.0.1/32", "169.254.170.2"])
    assert policy.check_address("127.0.0.1") is None
    assert policy.check_address("169.254.170.2") is None  # even a built-in one
    assert policy.check_address("::ffff:127.0.0.1") is None  # the carried address counts
    assert policy.check_address("127.0.0.2") is not None
    assert policy.check_address("169.254.169.254") is not None


def test_a_denial_names_the_rule_and_the_matched_range() -> None:
    denial = EgressPolicy(deny_addresses=["127.0.0.9"]).check_address("::ffff:127.0.0.9")
    assert denial is not None
    message = denial.message("[::ffff:7f00:9]:8080")
    assert "(HTTP_DENY_ADDRESSES)" in message
    assert "127.0.0.9/32" in message
    assert "it carries the IPv4 address 127.0.0.9" in message
    assert "nothing was sent" in message


@pytest.mark.parametrize(
    ("deny", "allow", "url", "denied"),
    [
        (["*.internal"], [], "http://db.internal/", True),
        (["*.internal"], [], "http://DB.Internal./x", True),  # case and trailing dot
        (["*.internal"], [], "http://internal/", False),
        (["*.internal"], [], "http://internal.example.com/", False),
        (["*"], ["api.example.com", "*.partner.test"], "https://api.example.com/v1", False),
        (["*"], ["api.example.com", "*.partner.test"], "https://x.partner.test/", False),
        (["*"], ["api.example.com", "*.partner.test"], "https://evil.test/", True),
        (["*"], ["api.example.com"], "http://127.0.0.1/", True),
        (["127.0.0.*"], [], "http://127.0.0.1:8080/", True),
    ],
)
def test_host_patterns(deny: list[str], allow: list[str], url: str, denied: bool) -> None:
    policy = EgressPolicy(deny_metadata=False, deny_hosts=deny, allow_hosts=allow)
    denial = policy.check_url(yarl.URL(url))
    assert (denial is not None) is denied
    if denial is not None:
        assert denial.rule == "HTTP_DENY_HOSTS"


@pytest.mark.parametrize(
    "url",
    [
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.GOOGLE.INTERNAL./",
        "http://metadata.goog/",
        "http://instance-data.ec2.internal/latest/meta-data/",
        "http://metadata.tencentyun.com/",
    ],
)
def test_metadata_host_names_are_denied_by_default(url: str) -> None:
    denial = DEFAULT.check_url(yarl.URL(url))
    assert denial is not None and denial.rule == "HTTP_DENY_METADATA"


@pytest.mark.parametrize(
    ("deny", "allow", "url", "denied"),
    [
        (["22", "25"], [], "http://h.test:22/", True),
        (["22", "25"], [], "http://h.test:2222/", False),
        (["8000-8999"], [], "http://h.test:8080/", True),
        (["8000-8999"], ["8443"], "https://h.test:8443/", False),
        (["1-65535"], ["443"], "https://h.test/", False),  # the scheme's default port
        (["1-65535"], ["443"], "http://h.test/", True),
    ],
)
def test_port_rules(deny: list[str], allow: list[str], url: str, denied: bool) -> None:
    policy = EgressPolicy(deny_ports=deny, allow_ports=allow)
    denial = policy.check_url(yarl.URL(url))
    assert (denial is not None) is denied
    if denial is not None:
        assert denial.rule == "HTTP_DENY_PORTS"


@pytest.mark.parametrize(
    ("variable", "value", "url", "denied"),
    [
        (
            "CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_INTERNAL",
            "internal.corp",
            "http://api.internal.corp/x",
            True,
        ),
        (
            "CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_INTERNAL",
            "internal.corp",
            "http://example.com/",
            False,
        ),
        ("CAMUNDA_CONNECTOR_HTTP_BLOCK_URL", "/admin", "http://example.com/admin/users", True),
        ("CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_SSH", "22,2222", "http://example.com:2222/", True),
        ("CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_SSH", "22,2222", "http://example.com/", False),
        ("CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_WEB", "80", "http://example.com/", True),
        (
            "CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_V1",
            r"https://api\.example\.com/v1/[a-z]+",
            "https://api.example.com/v1/users",
            True,
        ),
        # Camunda matched before query parameters were added: the URL without its query counts
        (
            "CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_V1",
            r"https://api\.example\.com/v1/[a-z]+",
            "https://api.example.com/v1/users?page=2",
            True,
        ),
        (
            "CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_V1",
            r"https://api\.example\.com/v1/[a-z]+",
            "https://api.example.com/v2/users",
            False,
        ),
        # the regex must match the whole URL, as Java's Pattern.matches
        ("CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_PART", r"example", "https://example.com/", False),
    ],
)
def test_camundas_block_rules(variable: str, value: str, url: str, denied: bool) -> None:
    policy = EgressPolicy(block_rules={variable: value})
    denial = policy.check_url(yarl.URL(url))
    assert (denial is not None) is denied
    if denial is not None:
        assert denial.rule == variable
        assert value not in denial.message("example.com:443") or variable.endswith("PORT_WEB")


def test_camundas_block_rules_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_LOCAL", "localhost")
    monkeypatch.setenv("CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT", "22")
    connector = ConnectorSettings(_env_file=None)  # type: ignore[call-arg]
    assert connector.camunda_block_rules == {
        "CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT": "22",
        "CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_LOCAL": "localhost",
    }
    policy = EgressPolicy.from_settings(connector)
    denial = policy.check_url(yarl.URL("http://localhost:8080/"))
    assert denial is not None and denial.rule == "CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_LOCAL"


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"CAMUNDA_CONNECTOR_HTTP_BLOCK_HOST_X": "a"}, "unknown block rule type 'HOST'"),
        ({"CAMUNDA_CONNECTOR_HTTP_BLOCK_REGEX_X": "("}, "not a regular expression"),
        ({"CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_X": "22,http"}, "'http' is not a port"),
        ({"CAMUNDA_CONNECTOR_HTTP_BLOCK_PORT_X": "70000"}, r"not a port \(1-65535\)"),
        ({"CAMUNDA_CONNECTOR_HTTP_BLOCK_URL_X": " "}, "is empty"),
    ],
)
def test_broken_block_rules_are_refused_not_ignored(environ: dict[str, str], problem: str) -> None:
    # Camunda logs and ignores them; a security rule that silently does nothing is worse.
    with pytest.raises(ValueError, match=problem):
        camunda_block_rules(environ)


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("HTTP_DENY_ADDRESSES", "10.0.0.0/33", "is not a CIDR range"),
        ("HTTP_DENY_ADDRESSES", "intranet", "is not a CIDR range"),
        ("HTTP_ALLOW_ADDRESSES", "1.2.3", "is not a CIDR range"),
        ("HTTP_DENY_HOSTS", "http://x.test/", "is not a host name pattern"),
        ("HTTP_DENY_PORTS", "9000-8000", "ascending range"),
        ("HTTP_ALLOW_PORTS", "0", "not a port"),
    ],
)
def test_invalid_settings_fail_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=problem):
        ConnectorSettings(_env_file=None)  # type: ignore[call-arg]


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_DENY_ADDRESSES", "private, 127.0.0.9")
    monkeypatch.setenv("HTTP_ALLOW_ADDRESSES", "10.1.0.0/16")
    monkeypatch.setenv("HTTP_DENY_HOSTS", "*.Internal.")
    monkeypatch.setenv("HTTP_DENY_PORTS", "22,8000-8999")
    connector = ConnectorSettings(_env_file=None)  # type: ignore[call-arg]
    assert connector.deny_addresses == ["private", "127.0.0.9/32"]
    assert connector.deny_hosts == ["*.internal"]
    policy = EgressPolicy.from_settings(connector)
    assert policy.check_address("10.2.0.1") is not None
    assert policy.check_address("10.1.0.1") is None
    assert policy.check_address("127.0.0.9") is not None
    assert policy.check_url(yarl.URL("http://db.internal/")) is not None
    assert policy.check_url(yarl.URL("http://h.test:8080/")) is not None
