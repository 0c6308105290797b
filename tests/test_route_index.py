"""The route index resolves every operation of the spec, on every host and its region/edge forms."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from twreplay.errors import SpecNotFoundError
from twreplay.spec.index import SpecIndex, deref, normalize_host
from twreplay.spec.locate import find_spec_dir
from twreplay.synth.values import _from_pattern


def sample_value(schema: dict, name: str) -> str:
    """A concrete value for a path parameter, built from its schema."""
    if schema.get("enum"):
        return str(schema["enum"][0])
    pattern = schema.get("pattern", "")
    if pattern:
        return _from_pattern(pattern, random.Random(0))
    if schema.get("type") == "integer":
        return "7"
    if schema.get("format") == "phone-number":
        return "%2B15005550006"
    if schema.get("format") == "iso-country-code":
        return "US"
    if schema.get("format") == "date":
        return "2024-01-31"
    return f"Example{name}"


def concrete(template: str, op) -> tuple[str, dict[str, str]]:
    schemas = {p.name: deref(op.file.document, p.schema) for p in op.params_in("path")}
    values: dict[str, str] = {}

    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        values[name] = sample_value(schemas.get(name, {}), name)
        return values[name]

    return re.sub(r"\{([^{}]+)\}", fill, template), values


def test_every_operation_resolves_from_a_concrete_path(index: SpecIndex) -> None:
    ops = list(index.operations())
    assert len(ops) == 1447  # twilio-oai 2.6.7
    unresolved, wrong = [], []
    for op in ops:
        path, values = concrete(op.path, op)
        match = index.resolve(op.method, f"https://{op.host}{path}?PageSize=5")
        if match is None:
            unresolved.append((op.method, op.host, path))
        elif match.operation is not op:
            wrong.append((op.operation_id, match.operation.operation_id, path))
        else:
            expected = {k: v.replace("%2B", "+") for k, v in values.items()}
            assert match.path_params == expected, op.operation_id
    assert unresolved == []
    assert wrong == []


def test_every_host_is_indexed(index: SpecIndex) -> None:
    hosts = index.hosts()
    assert len(hosts) == 38
    per_host = Counter(op.host for op in index.operations())
    assert set(per_host) == set(hosts)
    assert per_host["api.twilio.com"] == 197


@pytest.mark.parametrize(
    "host",
    [
        "api.twilio.com",
        "api.us1.twilio.com",
        "api.dublin.ie1.twilio.com",
        "api.sydney.au1.twilio.com",
        "API.Twilio.com:443",
    ],
)
def test_region_and_edge_hosts_resolve_like_the_base_host(index: SpecIndex, host: str) -> None:
    url = f"https://{host}/2010-04-01/Accounts/AC{'0' * 32}/Messages/SM{'1' * 32}.json"
    match = index.resolve("GET", url)
    assert match is not None
    assert match.operation.operation_id == "FetchMessage"
    assert match.operation.host == "api.twilio.com"
    assert match.path_params == {"AccountSid": "AC" + "0" * 32, "Sid": "SM" + "1" * 32}


def test_region_hosts_on_every_domain(index: SpecIndex) -> None:
    match = index.resolve("GET", "https://verify.dublin.ie1.twilio.com/v2/Services")
    assert match is not None and match.operation.operation_id == "ListService"
    assert match.operation.host == "verify.twilio.com"


def test_shared_host_is_split_by_path(index: SpecIndex) -> None:
    v1 = index.resolve("GET", "https://messaging.twilio.com/v1/Services")
    v2 = index.resolve("GET", "https://messaging.twilio.com/v2/Channels/Senders")
    assert v1 is not None and v1.operation.file.name == "twilio_messaging_v1.json"
    assert v2 is not None and v2.operation.file.name == "twilio_messaging_v2.json"


def test_same_path_on_two_hosts_gives_two_operations(index: SpecIndex) -> None:
    chat = index.resolve("GET", "https://chat.twilio.com/v2/Services")
    ipm = index.resolve("GET", "https://ip-messaging.twilio.com/v2/Services")
    assert chat is not None and ipm is not None
    assert chat.operation.file.name == "twilio_chat_v2.json"
    assert ipm.operation.file.name == "twilio_ip_messaging_v2.json"


def test_literal_segments_win_over_parameters(index: SpecIndex) -> None:
    match = index.resolve("GET", f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}.json")
    assert match is not None and match.operation.operation_id == "FetchAccount"


def test_unknown_paths_methods_and_hosts(index: SpecIndex) -> None:
    assert index.resolve("GET", "https://api.twilio.com/2010-04-01/Nope.json") is None
    assert index.resolve("PATCH", "https://verify.twilio.com/v2/Services") is None
    assert index.resolve("GET", "https://example.com/v2/Services") is None
    assert index.resolve("GET", "https://nosuchproduct.twilio.com/v1/Things") is None


def test_normalize_host() -> None:
    assert normalize_host("api.dublin.ie1.twilio.com") == "api.twilio.com"
    assert normalize_host("messaging.us1.twilio.com") == "messaging.twilio.com"
    assert normalize_host("twilio.com.evil.example") is None
    assert normalize_host("a.b.c.d.twilio.com") is None


def test_files_are_parsed_only_for_the_hosts_asked_for(spec_dir) -> None:
    index = SpecIndex(spec_dir)
    index.resolve("GET", "https://verify.twilio.com/v2/Services")
    assert set(index._files) == {"twilio_verify_v2.json", "twilio_verify_v3.json"}


def test_operation_facts(index: SpecIndex) -> None:
    create = index.resolve(
        "POST", f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Messages.json"
    )
    assert create is not None
    op = create.operation
    assert op.success_statuses == (201,)
    assert op.auth == ("basic",)
    assert op.body_content_type == "application/x-www-form-urlencoded"
    assert ("from", "messaging_service_sid") in op.conditional
    assert op.path_type == "list"
    assert op.api_version == "2010-04-01"


def test_spec_not_found_says_where_it_looked(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TWREPLAY_SPEC_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(SpecNotFoundError) as info:
        find_spec_dir()
    text = str(info.value)
    assert "$TWREPLAY_SPEC_DIR: (not set)" in text
    assert str(tmp_path / "cache" / "twreplay" / "twilio-oai" / "2.6.7") in text
    assert "twreplay spec fetch" in text


def test_explicit_folder_wins_and_a_wrong_one_is_an_error(tmp_path, monkeypatch, spec_dir) -> None:
    monkeypatch.setenv("TWREPLAY_SPEC_DIR", str(tmp_path / "typo"))
    with pytest.raises(SpecNotFoundError, match="does not exist"):
        find_spec_dir()
    assert find_spec_dir(spec_dir) == spec_dir
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SpecNotFoundError, match="no twilio_"):
        find_spec_dir(empty)


def test_user_cache_is_used_last(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TWREPLAY_SPEC_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = tmp_path / "twreplay" / "twilio-oai" / "2.6.7"
    cached.mkdir(parents=True)
    (cached / "twilio_test_v1.json").write_text("{}")
    assert find_spec_dir() == cached


def test_host_table_matches_a_scan_of_the_files(spec_dir) -> None:
    """The built-in host table agrees with what a scan of the pinned files finds."""
    from twreplay.spec import hosts as table
    from twreplay.spec.index import _SERVER_URL

    for path in sorted(spec_dir.glob("twilio_*.json")):
        raw = path.read_bytes()
        scanned = tuple(dict.fromkeys(h.decode().lower() for h in _SERVER_URL.findall(raw)))
        assert table.KNOWN_HOSTS[(path.name, len(raw))] == scanned


def test_an_unknown_file_is_scanned(tmp_path) -> None:
    (tmp_path / "twilio_custom_v1.json").write_text(
        '{"servers": [{"url": "https://custom.twilio.com"}], "paths": {"/v1/Things": {"get":'
        ' {"operationId": "ListThing", "responses": {"200": {"description": "ok"}}}}}}'
    )
    index = SpecIndex(tmp_path)
    assert index.hosts() == ["custom.twilio.com"]
    match = index.resolve("GET", "https://custom.twilio.com/v1/Things")
    assert match is not None and match.operation.operation_id == "ListThing"
