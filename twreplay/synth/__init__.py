"""Spec-driven synthetic Twilio answers: values, echo, paging, state, errors."""

from .engine import SyntheticEngine, SynthResponse

__all__ = ["SynthResponse", "SyntheticEngine"]
