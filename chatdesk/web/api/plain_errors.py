"""Validation errors in plain words: one sentence per pydantic error, from its type and context.

Never pydantic's own phrases ("Field required", "String should have at least 10 characters",
"Value error, ..."): people read these next to a form field. A pattern can carry a description
of what it accepts (`described`); numbers say both of their bounds when the field has both."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_core.core_schema import ErrorType

_PATTERNS: dict[str, str] = {}
_PYDANTIC_TYPES = frozenset(typing.get_args(ErrorType))


def described(pattern: str, accepts: str) -> str:
    """`pattern`, remembered with what it accepts ("a colour such as #2563eb") for its error."""
    _PATTERNS[pattern] = accepts
    return pattern


def _quoted(expected: str) -> str:
    """"'good' or 'bad'" -> "good, bad"."""
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _value_error(ctx: dict, msg: str) -> str:
    if msg.startswith("value is not a valid email address"):
        reason = str(ctx.get("reason", "")).rstrip(".")
        return f"Enter a valid email address, such as name@example.com.{f' {reason}.' if reason else ''}"
    if "error" in ctx:
        return str(ctx["error"])
    return msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")


# Sentences that need nothing from the error, and the types they answer.
_FIXED = {
    "Required.": ("missing",),
    "This is not valid JSON.": ("json_invalid", "json_type"),
    "Unknown field: leave it out.": ("extra_forbidden",),
    "Leave this empty.": ("none_required",),
    "Use text here.": ("string_type", "string_unicode"),
    "Use an id such as 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b.": ("uuid_type", "uuid_parsing", "uuid_version"),
    "Use true or false.": ("bool_type", "bool_parsing"),
    "Use an object with named fields here.": ("dict_type", "model_type", "model_attributes_type"),
    "Names here must be text.": ("invalid_key",),
    "Use a list here.": ("list_type", "tuple_type", "set_type", "iterable_type"),
    "Use a full web address such as https://example.com.": ("url_type", "url_parsing", "url_syntax_violation"),
    "Use a date and time such as 2026-01-31T09:30:00Z.": ("datetime_type", "datetime_parsing",
                                                          "datetime_from_date_parsing", "datetime_object_invalid"),
    "Use a date such as 2026-01-31.": ("date_type", "date_parsing", "date_from_datetime_parsing",
                                       "date_from_datetime_inexact"),
    "Add a time zone, such as Z or +02:00.": ("timezone_aware",),
    "Leave out the time zone.": ("timezone_naive",),
    "Use a time in the past.": ("datetime_past", "date_past"),
    "Use a time in the future.": ("datetime_future", "date_future"),
}


def _pattern(ctx: dict, msg: str) -> str:
    accepts = _PATTERNS.get(ctx["pattern"])
    return f"Use {accepts}." if accepts else "This is not in the expected format."


def _schemes(ctx: dict, msg: str) -> str:
    schemes = _quoted(ctx["expected_schemes"]).split(", ")
    return f"Use a web address starting with {' or '.join(scheme + '://' for scheme in schemes)}."


def _one_of(ctx: dict, msg: str) -> str:
    return f"Use one of: {_quoted(ctx['expected'])}."


def _always(sentence: str) -> Callable[[dict, str], str]:
    return lambda ctx, msg: sentence


def _at_most(unit: str) -> Callable[[dict, str], str]:
    return lambda ctx, msg: f"Use at most {_plural(ctx['max_length'], unit)}."


# type -> the sentence, from the error's context and its message (for the few that need it).
MESSAGES: dict[str, Callable[[dict, str], str]] = {
    **{kind: _always(sentence) for sentence, kinds in _FIXED.items() for kind in kinds},
    "string_too_short": lambda ctx, msg: "Can't be empty." if ctx["min_length"] == 1
    else f"Use at least {ctx['min_length']} characters.",
    "string_too_long": _at_most("character"),
    "url_too_long": _at_most("character"),
    "too_short": lambda ctx, msg: f"Give at least {_plural(ctx['min_length'], 'item')}.",
    "too_long": _at_most("item"),
    "string_pattern_mismatch": _pattern,
    "literal_error": _one_of,
    "enum": _one_of,
    "value_error": _value_error,
    "assertion_error": _value_error,
    "url_scheme": _schemes,
    "multiple_of": lambda ctx, msg: f"Use a multiple of {ctx['multiple_of']}.",
}
# Numbers: the sentence names the kind of number and both bounds the field has.
NUMBER_ERRORS = frozenset({"int_type", "int_parsing", "int_parsing_size", "int_from_float", "float_type",
                           "float_parsing", "finite_number", "decimal_type", "decimal_parsing", "greater_than",
                           "greater_than_equal", "less_than", "less_than_equal"})


def plain_message(model: type[BaseModel], error: ErrorDetails) -> str:
    """The sentence for one of `model`'s validation errors."""
    kind, ctx, msg = error["type"], error.get("ctx", {}), error["msg"]
    if kind in NUMBER_ERRORS:
        return _number_message(kind, ctx, _constraints(model, error["loc"]))
    message = MESSAGES.get(kind)
    if message:
        return message(ctx, msg)
    # A PydanticCustomError of ours carries its own plain sentence; pydantic's own types never reach here.
    return msg if kind not in _PYDANTIC_TYPES else "This value is not valid here."


def _number_message(kind: str, ctx: dict, constraints: list[Any]) -> str:
    whole = kind.startswith("int") or any(item is int for item in constraints)
    lows: list[Any] = [c.ge for c in constraints if isinstance(c, annotated_types.Ge)]
    highs: list[Any] = [c.le for c in constraints if isinstance(c, annotated_types.Le)]
    low, high = max(lows, default=ctx.get("ge")), min(highs, default=ctx.get("le"))
    number = "a whole number" if whole else "a number"
    if "gt" in ctx or "lt" in ctx:
        return f"Use {number} {'greater' if 'gt' in ctx else 'less'} than {ctx.get('gt', ctx.get('lt'))}."
    if low is not None and high is not None:
        return f"Use {number} between {low} and {high}."
    if low is not None or high is not None:
        return f"Use {number} of at {'least' if low is not None else 'most'} {low if low is not None else high}."
    return f"Use {number}."


def _constraints(model: type[BaseModel], loc: tuple) -> list[Any]:
    """The constraints (annotated_types' Ge, Le, ...) and plain types of the field at `loc`, as far
    as it can be followed through nested models, lists, dicts and optional values."""
    annotations: list[Any] = [model]
    found: list[Any] = []
    for part in loc:
        found = []
        for annotation in annotations:
            found += unwrapped(annotation)
        models = [item for item in found if isinstance(item, type) and issubclass(item, BaseModel)]
        if isinstance(part, str) and models:
            fields = [m.model_fields[part] for m in models if part in m.model_fields]
            annotations = [item for info in fields for item in (info.annotation, *info.metadata)]
        else:  # a list index or a dict key: the items' type
            annotations = [arg for item in found for arg in typing.get_args(item)[-1:]]
    return [item for annotation in annotations for item in unwrapped(annotation)]


def unwrapped(annotation: Any) -> list[Any]:
    """Annotated[...] and unions opened up: the types and constraints inside."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        return [*unwrapped(base), *(item for meta in metadata for item in _opened(meta))]
    if origin in (typing.Union, types.UnionType):
        return [item for arg in typing.get_args(annotation) for item in unwrapped(arg)]
    return [annotation]


def _opened(metadata: Any) -> list[Any]:
    """A `Field(...)` inside Annotated holds its constraints in its own metadata."""
    return list(metadata.metadata) if isinstance(metadata, FieldInfo) else [metadata]
