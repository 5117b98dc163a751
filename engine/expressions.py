"""The small expression language of rule files.

Conditions (``if:``) compile to durable-rules JSON; ``set:`` expressions are
evaluated in Python when a rule derives a fact. Both use the same syntax:

- a bare name is a field of the fact being matched (``ratio``);
- ``alias.field`` is a field of a fact matched earlier in the same rule
  (``policy.income_ratio_min``);
- numbers, strings, ``true``/``false``; ``+ - * /``; ``< <= > >= == !=``;
  ``and``/``or``; in ``set:`` also ``abs() min() max() round()``.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_COMPARE = {ast.Lt: "$lt", ast.LtE: "$lte", ast.Gt: "$gt", ast.GtE: "$gte", ast.NotEq: "$neq"}
_ARITH = {ast.Add: "$add", ast.Sub: "$sub", ast.Mult: "$mul", ast.Div: "$div"}
_PY_ARITH: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"abs": abs, "min": min, "max": max, "round": round}
_LITERALS = {"true": True, "false": False}


class ExpressionError(ValueError):
    """A rule expression that is not of the language above."""


@dataclass
class References:
    """What an expression reads: fields of the current fact, fields of other aliases."""

    own: set[str] = field(default_factory=set)
    other: set[tuple[str, str]] = field(default_factory=set)


def parse(text: str) -> ast.expr:
    try:
        return ast.parse(str(text).strip(), mode="eval").body
    except SyntaxError as err:
        raise ExpressionError(f"cannot parse {text!r}: {err.msg}") from err


def compile_condition(text: str, refs: References | None = None) -> dict[str, Any]:
    """``ratio < policy.income_ratio_min and ratio >= 1`` -> durable JSON."""
    return _condition(parse(text), refs if refs is not None else References())


def _condition(node: ast.expr, refs: References) -> dict[str, Any]:
    if isinstance(node, ast.BoolOp):
        key = "$and" if isinstance(node.op, ast.And) else "$or"
        return {key: [_condition(v, refs) for v in node.values]}
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if not isinstance(left, ast.Name) or left.id in _LITERALS:
            raise ExpressionError(
                "the left side of a comparison must be a field of the fact being matched"
            )
        refs.own.add(left.id)
        value = _operand(right, refs)
        if isinstance(op, ast.Eq):
            return {left.id: value}
        if type(op) in _COMPARE:
            return {_COMPARE[type(op)]: {left.id: value}}
    raise ExpressionError(f"unsupported condition: {ast.unparse(node)}")


def _operand(node: ast.expr, refs: References) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _operand(node.operand, refs)
        if isinstance(inner, (int, float)):
            return -inner
        return {"$sub": {"$l": 0, "$r": inner}}
    if isinstance(node, ast.Name):
        if node.id in _LITERALS:
            return _LITERALS[node.id]
        refs.own.add(node.id)
        return {"$m": node.id}
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        refs.other.add((node.value.id, node.attr))
        return {node.value.id: node.attr}
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return {_ARITH[type(node.op)]: {"$l": _operand(node.left, refs),
                                         "$r": _operand(node.right, refs)}}
    raise ExpressionError(f"unsupported value: {ast.unparse(node)}")


def references(text: str) -> References:
    """Fields a ``set:`` expression reads (every name must be ``alias.field``)."""
    refs = References()
    for node in ast.walk(parse(text)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            refs.other.add((node.value.id, node.attr))
    return refs


def evaluate(text: str, facts: Mapping[str, Mapping[str, Any]]) -> Any:
    """Evaluate a ``set:`` expression over the matched facts (alias -> fields)."""
    return _value(parse(text), facts)


def _value(node: ast.expr, facts: Mapping[str, Mapping[str, Any]]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name) and node.id in _LITERALS:
        return _LITERALS[node.id]
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return facts[node.value.id][node.attr]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_value(node.operand, facts)
    if isinstance(node, ast.BinOp) and type(node.op) in _PY_ARITH:
        return _PY_ARITH[type(node.op)](_value(node.left, facts), _value(node.right, facts))
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS and not node.keywords):
        return _FUNCTIONS[node.func.id](*(_value(a, facts) for a in node.args))
    raise ExpressionError(f"unsupported expression: {ast.unparse(node)}")


def check_value_expression(text: str) -> None:
    """Raise ExpressionError unless ``text`` is a valid ``set:`` expression."""
    allowed = (ast.Constant, ast.Name, ast.Attribute, ast.UnaryOp, ast.USub, ast.BinOp,
               ast.Call, ast.Load, *_PY_ARITH)
    tree = parse(text)
    aliases = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise ExpressionError(f"unsupported in {text!r}: {type(node).__name__}")
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            raise ExpressionError(f"unknown function in {text!r}; use abs, min, max, round")
        if isinstance(node, ast.Name) and not (
            id(node) in aliases or node.id in _LITERALS or node.id in _FUNCTIONS
        ):
            raise ExpressionError(f"{node.id!r} in {text!r}: write alias.field")
