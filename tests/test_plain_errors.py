"""Validation errors in plain words: every error our request models can produce gets a sentence of
ours (chatdesk/web/api/plain_errors.py), never one of pydantic's phrases."""

from __future__ import annotations

import re
import typing

import pytest
from pydantic import BaseModel, ValidationError
from pydantic_core import _pydantic_core
from pydantic_core.core_schema import ErrorType

from chatdesk.errors import ApiError
from chatdesk.web import api
from chatdesk.web.api.endpoint import validate
from chatdesk.web.api.plain_errors import MESSAGES, NUMBER_ERRORS, unwrapped
from tests.conftest import bearer

# pydantic's own sentences ("Field required", "String should have at least {min_length} characters"...).
PYDANTIC_PHRASES = [re.compile(re.sub(r"\\\{\w+\\\}", ".*", re.escape(error["message_template_python"])), re.DOTALL)
                    for error in _pydantic_core.list_all_errors()]
BAD_VALUES = [None, "", "x", "x" * 20_000, -10**12, 10**12, 1.5, "1.5", True, "maybe", [], {}, ["x"] * 60,
              [{}], {f"k{i}": "v" for i in range(30)}, {"k" * 50: "x" * 2_000}, "2026-13-45", "ftp://example.com",
              "a@b", "#zzz", "not a uuid", ["not a url"], "Hi {{visitor.phone}}"]


def input_models() -> set[type[BaseModel]]:
    """Every body and query model of every route."""
    specs = [route.endpoint.spec for route in api.routes if hasattr(route.endpoint, "spec")]
    return {model for spec in specs for model in (spec.body, spec.query) if model is not None}


def nested_models(annotation: typing.Any) -> list[tuple[type[BaseModel], bool]]:
    """(model, in a list) for the models a field holds."""
    found = []
    for item in unwrapped(annotation):
        if isinstance(item, type) and issubclass(item, BaseModel):
            found.append((item, False))
        for arg in typing.get_args(item):
            found += [(model, True) for model, _ in nested_models(arg)]
    return found


def bad_payloads(model: type[BaseModel], depth: int = 0) -> list[dict]:
    """Each field given each bad value (nested models' fields too), the empty body, an unknown field."""
    payloads: list[dict] = [{}, {"not_a_field": 1}]
    for name, info in model.model_fields.items():
        payloads += [{name: value} for value in BAD_VALUES]
        for inner, listed in nested_models(info.annotation) if depth < 3 else []:
            payloads += [{name: [value] if listed else value} for value in bad_payloads(inner, depth + 1)]
    return payloads


def test_every_error_of_every_model_has_a_plain_sentence():
    seen: set[str] = set()
    for model in input_models():
        for payload in bad_payloads(model):
            try:
                model.model_validate(payload)
                continue
            except ValidationError as error:
                seen |= {issue["type"] for issue in error.errors()}
            with pytest.raises(ApiError) as raised:
                validate(model, payload)
            for field, message in raised.value.fields.items():
                assert not any(phrase.fullmatch(message) for phrase in PYDANTIC_PHRASES), (model, field, message)
                assert message[0].isupper() and message.endswith("."), (model, field, message)
    pydantic_types = set(typing.get_args(ErrorType))  # the others are ours (PydanticCustomError), plain already
    assert (seen & pydantic_types) - MESSAGES.keys() - NUMBER_ERRORS == set(), "error types without a sentence of ours"
    assert {"missing", "string_too_short", "string_too_long", "too_long", "literal_error", "uuid_parsing",
            "int_parsing", "bool_parsing", "value_error", "greater_than_equal", "less_than_equal",
            "string_pattern_mismatch", "url_parsing"} <= seen, "the walk no longer reaches every kind of field"


@pytest.mark.parametrize(("path", "body", "field", "message"), [
    ("/api/v1/agents", {"email": "ada@example.com", "name": "Ada", "password": "short"}, "password",
     "Use at least 10 characters."),
    ("/api/v1/agents", {"email": "ada@example.com", "password": "long enough!"}, "name", "Required."),
    ("/api/v1/agents", {"email": "ada", "name": "Ada", "password": "long enough!"}, "email",
     "Enter a valid email address, such as name@example.com. An email address must have an @-sign."),
    ("/api/v1/agents", {"email": "ada@example.com", "name": "Ada", "password": "long enough!", "max_chats": 101},
     "max_chats", "Use a whole number between 0 and 100."),
    ("/api/v1/departments", {"name": "Sales", "routing_mode": "random"}, "routing_mode",
     "Use one of: auto, broadcast."),
    ("/api/v1/widgets", {"name": "Shop", "settings": {"color": "red"}}, "settings.color",
     "Use a colour such as #2563eb."),
    ("/api/v1/quick-responses", {"shortcut": "hi", "title": "Hi", "body": "   "}, "body",
     "Write the text of the response."),
])
def test_api_answers_in_plain_words(client, make_agent, login, path, body, field, message):
    admin = bearer(login(make_agent(role="admin"))["token"])
    response = client.post(path, headers=admin, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][field] == message
