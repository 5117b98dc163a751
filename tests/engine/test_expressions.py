import pytest

from engine.expressions import (
    ExpressionError,
    References,
    check_value_expression,
    compile_condition,
    evaluate,
)


def test_condition_compiles_to_durable_json() -> None:
    refs = References()
    out = compile_condition("ratio < policy.income_ratio_min and ratio >= 1.5", refs)
    assert out == {"$and": [{"$lt": {"ratio": {"policy": "income_ratio_min"}}},
                            {"$gte": {"ratio": 1.5}}]}
    assert refs.own == {"ratio"} and refs.other == {("policy", "income_ratio_min")}


def test_equality_booleans_and_arithmetic() -> None:
    assert compile_condition("present == false") == {"present": False}
    assert compile_condition("amount > payment.amount * 2") == {
        "$gt": {"amount": {"$mul": {"$l": {"payment": "amount"}, "$r": 2}}}}
    assert compile_condition("a == 1 or b != 'x'") == {"$or": [{"a": 1}, {"$neq": {"b": "x"}}]}


@pytest.mark.parametrize("bad", ["1 < ratio", "ratio <", "f(x) > 1", "a < b < c",
                                 "policy.x > 1"])
def test_bad_conditions_are_refused(bad: str) -> None:
    with pytest.raises(ExpressionError):
        compile_condition(bad)


def test_evaluate_value_expressions() -> None:
    facts = {"income": {"amount": 9000.0}, "payment": {"amount": 4688.08}}
    assert evaluate("round(income.amount / payment.amount, 2)", facts) == 1.92
    assert evaluate("abs(0 - income.amount)", facts) == 9000.0
    check_value_expression("round(income.amount / payment.amount, 2)")
    for bad in ("amount * 2", "__import__('os')", "income.amount if 1 else 2"):
        with pytest.raises(ExpressionError):
            check_value_expression(bad)
