"""The response comparison the runner applies, as examples of the README's rules."""

from __future__ import annotations

from .compare import compare_response, json_equal
from .corpus import stringify_keys


def test_numbers_compare_by_value_but_strings_and_booleans_do_not_pass_for_numbers() -> None:
    assert json_equal({"a": 2}, {"a": 2.0})
    assert not json_equal({"a": "1"}, {"a": 1})
    assert not json_equal({"a": True}, {"a": 1})


def test_array_order_matters() -> None:
    assert not json_equal([1, 2], [2, 1])


def test_selection_set_objects_must_keep_the_order_asked() -> None:
    request = {"query": "{ author { id name } }"}
    expected = {"data": {"author": [{"id": 1, "name": "A"}]}}
    assert compare_response(expected, {"data": {"author": [{"id": 1, "name": "A"}]}}, request) == []
    problems = compare_response(expected, {"data": {"author": [{"name": "A", "id": 1}]}}, request)
    assert problems and "not in the order asked" in problems[0]


def test_json_scalars_and_errors_compare_without_key_order() -> None:
    request = {"query": "{ person { details } }"}
    expected = {"data": {"person": [{"details": {"b": 1, "a": 2}}]}}
    assert compare_response(expected, {"data": {"person": [{"details": {"a": 2, "b": 1}}]}}, request) == []
    error = {"errors": [{"message": "m", "extensions": {"path": "$", "code": "c"}}]}
    swapped = {"errors": [{"extensions": {"code": "c", "path": "$"}, "message": "m"}]}
    assert compare_response(error, swapped, request) == []


def test_aliases_and_fragments_turn_key_order_checks_off_as_upstream_does() -> None:
    request = {"query": "{ a: author { id name } }"}
    expected = {"data": {"a": [{"id": 1, "name": "A"}]}}
    assert compare_response(expected, {"data": {"a": [{"name": "A", "id": 1}]}}, request) == []


def test_message_differences_fail() -> None:
    expected = {
        "errors": [
            {"message": "no mutations exist", "extensions": {"path": "$", "code": "validation-failed"}}
        ]
    }
    actual = {"errors": [{"message": "other", "extensions": {"path": "$", "code": "validation-failed"}}]}
    assert compare_response(expected, actual, {"query": "mutation { x }"})


def test_integer_map_keys_become_json_string_keys() -> None:
    assert stringify_keys({1: {"x": [{2: "y"}]}}) == {"1": {"x": [{"2": "y"}]}}
