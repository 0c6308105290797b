"""twreplay: record, validate and replay Twilio API traffic.

Real Twilio interactions are recorded into scrubbed YAML cassettes, validated against Twilio's
OpenAPI spec, and replayed deterministically.
"""

from __future__ import annotations

from .errors import CassetteFormatError, SpecNotFoundError, SpecValidationError, TwreplayError
from .validation import Finding

__version__ = "0.1.0"

__all__ = [
    "CassetteFormatError",
    "Finding",
    "SpecNotFoundError",
    "SpecValidationError",
    "TwreplayError",
    "__version__",
]
