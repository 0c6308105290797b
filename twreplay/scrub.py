"""Scrubbing: credentials and personal data never reach a cassette (pure, idempotent).

What is scrubbed, on record and by `twreplay scrub`:

* credentials: `Authorization` (Basic, Bearer), `Twilio-Client-Validation`, cookies; the auth
  token, API-key secrets and configured secrets wherever they appear (URL userinfo, query, form,
  JSON, headers) raw, URL-encoded, base64 (Basic credentials) and in upper/lower case; response
  fields that carry secrets (`auth_token`, key-creation `secret`, TURN `credential`, OAuth
  tokens, …) and request parameters that do (`Password`, `SipAuthPassword`, `Secret`, …);
* customer identifiers: AccountSid and API-key SIDs become placeholders that keep their pattern
  (`AC00000000000000000000000000000001`), everywhere;
* personal data: fields the spec marks `x-twilio.pii` in the operation's response, the unmarked
  ones Twilio's spec misses (`phone_number`, `email`, …) and the request parameters that feed
  them, replaced by fakes of the same shape: E.164 numbers in the fictional 555-01xx range, emails
  at example.com, neutral text. Twilio's magic test numbers (+1 500 555 xxxx) are kept.

One real value maps to one fake everywhere in a cassette. Fakes are numbered in order of first
appearance (deterministic; no hash of the real value, so the cassette cannot be brute-forced
back to it). Already-fake values are left alone, so scrubbing twice changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .spec.index import SpecIndex, deref, normalize_host
from .spec.model import Operation
from .wire import header, snake_case

SCRUBBED = "[scrubbed]"
_QUOTED_SCRUBBED = "%5Bscrubbed%5D"

#: Property names Twilio's spec marks `x-twilio.pii` somewhere (twilio-oai 2.6.7; a test keeps
#: this list equal to a scan of the spec). Used where no operation is known (matching).
SPEC_PII_NAMES = frozenset(
    {
        "add_ons",
        "address",
        "amount",
        "attributes",
        "audio_sources",
        "audio_sources_excluded",
        "auth_token",
        "author",
        "authorize_redirect_url",
        "body",
        "callback_url",
        "caller_name",
        "ccEmails",
        "cc_emails",
        "changelog",
        "command",
        "company_name",
        "configuration",
        "contact_channel_address",
        "context",
        "conversation_attributes",
        "conversation_friendly_name",
        "conversation_unique_name",
        "country_code",
        "created_by",
        "customer_name",
        "data",
        "deauthorize_callback_url",
        "description",
        "details",
        "disaster_recovery_url",
        "domain_name",
        "domain_suffix",
        "email",
        "endpoint",
        "factor_friendly_name",
        "forwarded_from",
        "friendlyName",
        "friendly_name",
        "from",
        "from_formatted",
        "handle",
        "hidden_details",
        "homepage_url",
        "iccid",
        "identifier",
        "identities",
        "identity",
        "ip_address",
        "items",
        "key",
        "label",
        "last_updated_by",
        "media",
        "messaging_binding",
        "metadata",
        "national_format",
        "notification_email",
        "participant_identity",
        "participant_messaging_binding",
        "path",
        "payee",
        "payload",
        "phone_number",
        "plugin_url",
        "postal_code",
        "request",
        "response",
        "results",
        "secondary_auth_token",
        "sip_url",
        "status_callback_url",
        "street",
        "street_secondary",
        "tags",
        "target",
        "to",
        "to_formatted",
        "track_name",
        "transcript",
        "transcription_text",
        "uniqueName",
        "unique_name",
        "username",
        "value",
        "video_layout",
        "voice_fallback_url",
        "voice_status_callback_url",
        "voice_url",
    }
)
#: Personal data the spec does not mark (its gaps): always scrubbed.
UNMARKED_PII = frozenset(
    {
        "phone_number",
        "email",
        "to",
        "from",
        "body",
        "friendly_name",
        "caller_name",
        "identity",
        "contact_email",
        "notification_email",
    }
)
#: Response fields that carry secrets (some PII-marked, most not).
SECRET_FIELDS = frozenset(
    {
        "auth_token",
        "secondary_auth_token",
        "secret",
        "password",
        "credential",
        "access_token",
        "refresh_token",
        "id_token",
        "accessToken",
        "idToken",
        "refreshToken",
        "token",
        "sessionToken",
        "inquiry_session_token",
        "profile_api_key",
        "client_secret",
    }
)
#: Request parameters that carry secrets.
SECRET_PARAMS = frozenset(
    {
        "Password",
        "SipAuthPassword",
        "CallToken",
        "Secret",
        "PrivateKey",
        "Certificate",
        "ApiKey",
        "Credentials",
        "Binding.Secret",
        "Config.NotificationToken",
        "SnaClientToken",
        "ClientSecret",
        "client_secret",
        "RefreshToken",
        "refresh_token",
        "AuthToken",
        "Token",
        "password",
    }
)
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "twilio-client-validation",
        "cookie",
        "set-cookie",
        "proxy-authorization",
        "x-twilio-signature",
    }
)

_MAGIC = re.compile(r"^\+1500555\d{4}$")
_FAKE_PHONE = re.compile(r"^\+1(2\d\d)5550(1\d\d)$")
_FAKE_EMAIL = re.compile(r"^user(\d{4})@example\.com$")
_FAKE_TEXT = re.compile(r"^scrubbed-text-(\d{4})$")
_FAKE_SID = re.compile(r"^(AC|SK)0{26}(\d{6})$")
_PHONE = re.compile(r"^(?P<prefix>[a-z]+:)?(?P<number>\+?[1-9]\d{6,14})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ACCOUNT_OR_KEY = re.compile(r"\b(AC|SK)[0-9a-fA-F]{32}\b")
_COUNTRY = re.compile(r"[A-Z]{2}")
_PHONE_SEGMENT = re.compile(r"^\+[1-9]\d{6,14}$|^\d{10,15}$")
_PHONE_IN_TEXT = re.compile(r"(?<![\w+%])\+[1-9]\d{7,14}(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
FAKE_ANYWHERE = re.compile(
    r"\+1(2\d\d)5550(1\d\d)|user\d{4}@example\.com|scrubbed-text-\d{4}|(?:AC|SK)0{26}\d{6}"
)


def is_fake(value: str) -> bool:
    """A value the scrubber wrote (or a magic test number, which it keeps)."""
    return bool(
        value == SCRUBBED
        or _FAKE_PHONE.match(value)
        or _FAKE_EMAIL.match(value)
        or _FAKE_TEXT.match(value)
        or _FAKE_SID.match(value)
        or _MAGIC.match(value)
    )


#: Names that say a field holds personal data, whatever the spec marks (its request bodies carry
#: no marks at all): the last part of the name, in snake case.
_PERSONAL_NAME = re.compile(
    r"(^|_)(street|street_secondary|city|zip|postal_code|address|telephone_number|phone|"
    r"phone_number|phone_numbers|email|emails|birth|date_of_birth|national_id|first_name|"
    r"last_name|full_name|customer_name|representative|account_number|ssn|tax_id)$"
)
#: Names that say a field holds a secret.
_SECRET_NAME = re.compile(
    r"(^|_)(secret|password|passcode|pin|token|api_key|write_key|private_key)$"
)
_NOT_SECRET = frozenset({"page_token", "next_token", "previous_token", "key"})


def is_secret_name(name: str) -> bool:
    if name in SECRET_PARAMS or name in SECRET_FIELDS:
        return True
    snake = snake_case(name.split(".")[-1])
    return (
        snake not in _NOT_SECRET and not snake.endswith("_sid") and bool(_SECRET_NAME.search(snake))
    )


def is_personal_name(name: str) -> bool:
    snake = snake_case(name.split(".")[-1])
    return not snake.endswith(("_sid", "_sids")) and bool(_PERSONAL_NAME.search(snake))


def is_placeholder(value: str) -> bool:
    """A fake the scrubber made to stand for a real value (magic numbers are real values)."""
    return value != SCRUBBED and not _MAGIC.match(value) and is_fake(value)


FieldRule = Callable[[str, Any], Any]


@dataclass(frozen=True)
class ScrubConfig:
    """How to scrub. `fields` overrides per field or parameter name: "keep", "scrub", or a
    function (name, value) -> new value. `secrets` are values to remove wherever they appear
    (the auth token and API-key secrets in use are learned from the requests themselves)."""

    fields: Mapping[str, str | FieldRule] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    from_environment: bool = True  # also TWILIO_AUTH_TOKEN, TWILIO_API_SECRET if set

    def rule(self, name: str) -> str | FieldRule | None:
        return self.fields.get(name) or self.fields.get(snake_case(name))


class Scrubber:
    """Scrubs the interactions of one cassette; keeps the real-to-fake mapping for it."""

    def __init__(self, config: ScrubConfig | None = None, index: SpecIndex | None = None) -> None:
        self.config = config or ScrubConfig()
        self.index = index
        self.mapping: dict[str, str] = {}  # real value -> fake
        self.secrets: set[str] = set()
        self.credentials: set[tuple[str, str]] = set()  # (user, secret) pairs seen in Basic auth
        self._personal = True  # fake personal data in the interaction being scrubbed
        self._counters = {"phone": 0, "email": 0, "text": 0, "AC": 0, "SK": 0}
        for secret in self.config.secrets:
            self.add_secret(secret)
        if self.config.from_environment:
            for var in ("TWILIO_AUTH_TOKEN", "TWILIO_API_SECRET"):
                if os.environ.get(var):
                    self.add_secret(os.environ[var])

    # -- what is known -----------------------------------------------------------------------
    def add_secret(self, value: str) -> None:
        if value and len(value) >= 6 and value != SCRUBBED:
            self.secrets.add(value)

    def observe(self, text: str) -> None:
        """Count the fakes already in a cassette, so new fakes never reuse their numbers."""
        for m in FAKE_ANYWHERE.finditer(text):
            token = m.group(0)
            kind, n = _fake_number(token)
            if kind:
                self._counters[kind] = max(self._counters[kind], n + 1)

    def learn_credentials(self, headers: Mapping[str, Any] | None) -> None:
        auth = header(headers, "Authorization") or ""
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "basic" and value and value != SCRUBBED:
            try:
                user, _, password = base64.b64decode(value).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return
            self.add_secret(password)
            if user and password:
                self.credentials.add((user, password))
            if _ACCOUNT_OR_KEY.fullmatch(user):
                self.fake_sid(user)
        elif scheme.lower() == "bearer" and value != SCRUBBED:
            self.add_secret(value)

    # -- fakes -------------------------------------------------------------------------------
    def _next(self, kind: str) -> int:
        n = self._counters[kind]
        self._counters[kind] = n + 1
        return n

    def fake_sid(self, real: str) -> str:
        if _FAKE_SID.match(real):
            return real
        fake = self.mapping.get(real)
        if fake is None:
            prefix = real[:2].upper()
            fake = self.mapping[real] = f"{prefix}{'0' * 26}{self._next(prefix) + 1:06d}"
            self.mapping[real.lower()] = fake
        return fake

    def fake(self, value: Any) -> Any:
        """The fake for a personal value (same shape), consistent within the cassette."""
        if value is None or value == "" or isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return 0
        if isinstance(value, dict):
            return {}
        if isinstance(value, list):
            return [self.fake(v) for v in value if isinstance(v, str)]
        text = str(value)
        if is_fake(text) or _COUNTRY.fullmatch(text):
            return text  # already a fake; or a country code, which identifies nobody
        known = self.mapping.get(text)
        if known is not None:
            return known
        m = _PHONE.match(text)
        if m:
            n = self._next("phone")
            fake = f"{m.group('prefix') or ''}+1{202 + n // 100}5550{100 + n % 100}"
        elif _EMAIL.match(text):
            fake = f"user{self._next('email'):04d}@example.com"
        else:
            fake = f"scrubbed-text-{self._next('text'):04d}"
        self.mapping[text] = fake
        if m:
            self.mapping[m.group("number")] = fake[len(m.group("prefix") or "") :]
        return fake

    # -- one interaction (vcrpy's cassette form) ---------------------------------------------
    def scrub_interaction(
        self, request: dict[str, Any], response: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Scrubbed copies of a request and response as a cassette stores them."""
        request = json.loads(json.dumps(request, default=_bytes_default))
        response = json.loads(json.dumps(response, default=_bytes_default))
        self.learn_credentials(request.get("headers"))
        op = self._operation(request.get("method", ""), request.get("uri", ""))
        # Other hosts keep their personal fields (vcrpy matches them literally, and their
        # meaning is not Twilio's); their credentials and Twilio's secrets still go.
        self._personal = normalize_host(urlsplit(request.get("uri", "")).hostname or "") is not None
        pii = self.pii_names(op) if self._personal else frozenset()
        # requests: the spec marks no request field, so every name it marks anywhere counts
        asked = pii | SPEC_PII_NAMES
        request["uri"] = self._scrub_uri(request.get("uri", ""), asked, op)
        request["body"] = self._scrub_request_body(
            request.get("body"), request.get("headers"), asked
        )
        request["headers"] = self._scrub_headers(request.get("headers") or {})
        response["headers"] = self._scrub_headers(response.get("headers") or {})
        body = response.get("body") or {}
        if isinstance(body.get("string"), str):
            body["string"] = self._scrub_json_text(body["string"], pii)
        response["body"] = body
        # last, every string: phone numbers and emails wherever they are (headers, free text),
        # then known secrets and known real values, in any encoding
        _walk_strings(request, self._discover)
        _walk_strings(response, self._discover)
        uri = self._replace_known(request.pop("uri", ""), in_url=True)
        body = request.pop("body", None)
        form = isinstance(body, str) and body.lstrip()[:1] not in ("{", "[")
        body = self._replace_known(body, in_url=form)
        request = _restore_bytes(self._replace_known(request))
        request["uri"], request["body"] = uri, _restore_bytes(body)
        response = _restore_bytes(self._replace_known(response))
        return request, response

    def _operation(self, method: str, uri: str) -> Operation | None:
        if self.index is None:
            return None
        match = self.index.resolve(method, uri)
        return match.operation if match else None

    def pii_names(self, op: Operation | None) -> frozenset[str]:
        """Field names to fake for an operation: its response's PII marks plus the gaps."""
        if op is None:
            return UNMARKED_PII
        key = ("pii", op.operation_id, op.path)
        cached = op.file.cache.get(key)
        if cached is None:
            found: set[str] = set()
            for resp in op.responses.values():
                if resp.schema is not None:
                    _collect_pii(op.file.document, resp.schema, found, set())
            for p in op.parameters:
                if p.location == "query" and "pii" in (p.schema.get("x-twilio") or {}):
                    found.add(snake_case(p.name))
            cached = op.file.cache[key] = frozenset(found) | UNMARKED_PII
        return cached

    def _param(self, name: str, value: str, pii: frozenset[str]) -> str:
        rule = self.config.rule(name)
        if rule == "keep":
            return value
        if callable(rule):
            return str(rule(name, value))
        if is_secret_name(name):
            self.add_secret(value)
            return SCRUBBED if value else value
        personal = snake_case(name.split(".")[-1]) in pii or is_personal_name(name)
        if rule == "scrub" or (self._personal and personal):
            return str(self.fake(value))
        return value

    def _scrub_uri(self, uri: str, pii: frozenset[str], op: Operation | None = None) -> str:
        parts = urlsplit(uri)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, host = netloc.rpartition("@")
            user, _, password = userinfo.partition(":")
            self.add_secret(password)
            if _ACCOUNT_OR_KEY.fullmatch(user):
                self.fake_sid(user)
            netloc = host
        path = _ACCOUNT_OR_KEY.sub(lambda m: self.fake_sid(m.group(0)), parts.path)
        if self._personal:
            path = "/".join(self._path_segment(seg) for seg in path.split("/"))
        if (
            op is not None and self._personal
        ):  # personal path parameters (a Lookup's number in national format, …)
            path = self._path_params(op, path)
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            scrubbed = [(k, self._param(k, v, pii)) for k, v in pairs]
            if scrubbed != pairs:  # re-encode only what changed hands
                query = urlencode(scrubbed)
        return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))

    def _path_params(self, op: Operation, path: str) -> str:
        from urllib.parse import unquote

        if self.index is None:
            return path
        match = self.index.resolve_path(op.method, op.host, path)
        if match is None:
            return path
        for param in op.params_in("path"):
            value = match.path_params.get(param.name)
            schema = deref(op.file.document, param.schema)
            personal = schema.get("format") == "phone-number" or is_personal_name(param.name)
            if value and personal and not is_fake(value):
                fake = str(self.fake(unquote(value)))
                path = "/".join(
                    quote(fake, safe="") if unquote(seg) == value else seg
                    for seg in path.split("/")
                )
        return path

    def _path_segment(self, segment: str) -> str:
        """Phone numbers in paths (Lookups, …) are personal data too."""
        from urllib.parse import unquote

        raw = unquote(segment)
        if _PHONE_SEGMENT.match(raw) and not _MAGIC.match(raw) and not is_fake(raw):
            return quote(str(self.fake(raw)), safe="")
        return segment

    def _scrub_request_body(self, body: Any, headers: Any, pii: frozenset[str]) -> Any:
        if not isinstance(body, str) or not body:
            return body
        ctype = (header(headers, "Content-Type") or "").lower()
        if "json" in ctype or body.lstrip()[:1] in ("{", "["):
            return self._scrub_json_text(body, pii)
        pairs = parse_qsl(body, keep_blank_values=True)
        scrubbed = [(k, self._param(k, v, pii)) for k, v in pairs]
        return urlencode(scrubbed) if scrubbed != pairs else body

    def _scrub_headers(self, headers: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, values in headers.items():
            values = list(values) if isinstance(values, (list, tuple)) else [values]
            if name.lower() in SECRET_HEADERS:
                scrubbed = []
                for v in values:
                    scheme, sep, _rest = str(v).partition(" ")
                    keep_scheme = sep and scheme.lower() in ("basic", "bearer", "digest")
                    scrubbed.append(f"{scheme} {SCRUBBED}" if keep_scheme else SCRUBBED)
                values = scrubbed
            out[name] = values
        return out

    def _scrub_json_text(self, text: str, pii: frozenset[str]) -> str:
        try:
            data = json.loads(text)
        except ValueError:
            return text
        scrubbed = self._scrub_json(data, pii)
        if scrubbed == data:
            return text
        indent = 2 if "\n" in text.strip() else None
        out = json.dumps(scrubbed, indent=indent, ensure_ascii=False)
        return out + ("\n" if text.endswith("\n") else "")

    def _scrub_json(self, value: Any, pii: frozenset[str], name: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self._scrub_field(k, v, pii) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub_json(v, pii, name) for v in value]
        return value

    def _scrub_field(self, name: str, value: Any, pii: frozenset[str]) -> Any:
        rule = self.config.rule(name)
        if rule == "keep":
            return value
        if callable(rule):
            return rule(name, value)
        if isinstance(value, str) and is_secret_name(name):
            self.add_secret(value)
            return SCRUBBED if value else value
        personal = rule == "scrub" or (self._personal and (name in pii or is_personal_name(name)))
        if personal and isinstance(value, str):
            return self.fake(value)
        if personal and isinstance(value, dict) and name in pii and name not in UNMARKED_PII:
            return {}  # a marked object (attributes, data, …) is personal as a whole
        if isinstance(value, list) and personal:
            return [
                self.fake(v) if isinstance(v, str) else self._scrub_json(v, pii, name)
                for v in value
            ]
        if isinstance(value, (dict, list)):
            return self._scrub_json(value, pii, name)
        if isinstance(value, str) and _ACCOUNT_OR_KEY.fullmatch(value):
            return self.fake_sid(value)
        return value

    # -- the last pass -----------------------------------------------------------------------
    def _discover(self, text: str) -> str:
        """Register a fake for every phone number and email in free text."""
        from urllib.parse import unquote

        if not self._personal:
            return text
        for candidate in (text, unquote(text)) if "%" in text else (text,):
            for m in _PHONE_IN_TEXT.finditer(candidate):
                if not is_fake(m.group(0)):
                    self.fake(m.group(0))
            for m in _EMAIL_IN_TEXT.finditer(candidate):
                if not is_fake(m.group(0)) and not m.group(0).endswith("@example.com"):
                    self.fake(m.group(0))
            for m in _ACCOUNT_OR_KEY.finditer(candidate):
                self.fake_sid(m.group(0))
        return text

    def _replacements(self) -> list[tuple[str, str]]:
        pairs: dict[str, str] = {}
        for secret in self.secrets:
            for form in _encodings(secret):
                pairs.setdefault(form, SCRUBBED)
        for user, secret in self.credentials:
            pairs.setdefault(base64.b64encode(f"{user}:{secret}".encode()).decode(), SCRUBBED)
        for real, fake in self.mapping.items():
            # free text is replaced only in its own fields: a common word must not be
            # replaced everywhere. Numbers, emails and SIDs are unambiguous.
            if len(real) < 4 or real == fake or _FAKE_TEXT.match(fake):
                continue
            pairs.setdefault(real, fake)
            pairs.setdefault(quote(real, safe=""), quote(fake, safe=""))
            pairs.setdefault(quote_plus(real), quote_plus(fake))
        return sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def _replace_known(self, value: Any, in_url: bool = False) -> Any:
        replacements = self._replacements()
        if in_url:  # what goes into a URL goes in URL-encoded
            replacements = [
                (k, v if v == quote(v, safe="%") else quote(v, safe="")) for k, v in replacements
            ]
        if not replacements:
            return value
        pattern = re.compile("|".join(re.escape(k) for k, _ in replacements))
        table = dict(replacements)
        lowered = {k.lower(): v for k, v in replacements}

        def sub(text: str) -> str:
            text = pattern.sub(lambda m: table[m.group(0)], text)
            # hex tokens in other case
            return _CASELESS(lowered, text)

        return _walk_strings(value, sub)


def _CASELESS(lowered: dict[str, str], text: str) -> str:  # noqa: N802 - a small helper
    low = text.lower()
    for key, fake in lowered.items():
        if key in low and fake in (SCRUBBED, _QUOTED_SCRUBBED):
            start = low.find(key)
            while start >= 0:
                text = text[:start] + fake + text[start + len(key) :]
                low = text.lower()
                start = low.find(key, start + len(fake))
    return text


def _encodings(secret: str) -> Iterable[str]:
    """The forms a secret takes on the wire."""
    yield secret
    yield quote(secret, safe="")
    yield quote_plus(secret)
    yield base64.b64encode(secret.encode()).decode()


def _walk_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _walk_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_walk_strings(v, fn) for v in value]
    return value


def _bytes_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return {"__bytes__": base64.b64encode(bytes(value)).decode()}
    raise TypeError(f"cannot copy {type(value).__name__}")


def _restore_bytes(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: _restore_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_bytes(v) for v in value]
    return value


_MASKED_NAMES = SPEC_PII_NAMES | UNMARKED_PII | SECRET_FIELDS


def masked_param(name: str) -> bool:
    """A request parameter whose recorded value may be a fake (so matching looks past it)."""
    return (
        snake_case(name.split(".")[-1]) in _MASKED_NAMES
        or is_secret_name(name)
        or is_personal_name(name)
    )


def phone_segment(segment: str) -> bool:
    """A path segment holding a phone number (E.164, or 10 to 15 digits)."""
    from urllib.parse import unquote

    raw = unquote(segment)
    return bool(_PHONE_SEGMENT.match(raw))


def _fake_number(token: str) -> tuple[str | None, int]:
    if m := _FAKE_PHONE.match(token):
        return "phone", (int(m.group(1)) - 202) * 100 + int(m.group(2)) - 100
    if m := _FAKE_EMAIL.match(token):
        return "email", int(m.group(1))
    if m := _FAKE_TEXT.match(token):
        return "text", int(m.group(1))
    if m := _FAKE_SID.match(token):
        return m.group(1), int(m.group(2)) - 1
    return None, 0


def _collect_pii(document: dict[str, Any], schema: Any, found: set[str], seen: set[int]) -> None:
    if isinstance(schema, dict) and "$ref" in schema:
        schema = deref(document, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict) and "pii" in (sub.get("x-twilio") or {}):
            found.add(name)
        _collect_pii(document, sub, found, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _collect_pii(document, schema[key], found, seen)
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key) or []:
            _collect_pii(document, sub, found, seen)


def scrub_cassette_text(
    text: str, index: SpecIndex | None = None, config: ScrubConfig | None = None
) -> tuple[str | None, int]:
    """Scrub a whole cassette's text: (new text or None if nothing changed, interactions changed).

    Raises `yaml.YAMLError` / `ValueError` for a text that is not a cassette.
    """
    from .cassette import dump_cassette
    from .yamlfast import safe_load

    data = safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise ValueError("not a cassette (no top-level `interactions:` list)")
    scrubber = Scrubber(config or ScrubConfig(from_environment=False), index)
    scrubber.observe(text)
    changed = 0
    out = []
    for item in data["interactions"]:
        request, response = scrubber.scrub_interaction(item["request"], item["response"])
        new = {**item, "request": request, "response": response}
        if _normal(new) != _normal(item):
            changed += 1
        out.append(new)
    if not changed:
        return None, 0
    meta = data.get("twreplay")
    extra = {k: v for k, v in data.items() if k not in ("interactions", "version", "twreplay")}
    text_out = dump_cassette(out, meta)
    if extra:  # keep keys other tools put there (vcrpy's metadata, …)
        import yaml

        text_out += yaml.safe_dump(extra, default_flow_style=False, sort_keys=True)
    return text_out, changed


def _normal(value: Any) -> str:
    return json.dumps(value, default=_bytes_default, sort_keys=True)


def restore(text: str, bound: Mapping[str, str], json_text: bool) -> str:
    """`text` with fakes replaced by the real values they stand for (raw and URL-encoded)."""
    for fake, real in sorted(bound.items(), key=lambda kv: -len(kv[0])):
        quoted = quote(fake, safe="")
        if fake not in text and quoted not in text:
            continue
        text = text.replace(fake, json.dumps(real)[1:-1] if json_text else real)
        text = text.replace(quoted, quote(real, safe=""))
    return text
