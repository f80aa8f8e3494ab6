"""A Python team's flytekit tasks, registered with `pyflyte register` and called from TypeScript by reference
(examples/references/references.ts). `package.sh` serializes them with `pyflyte package` into the fixture the
tests register where flytekit is not installed."""
from flytekit import task, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def describe(item: str, qty: int, unit_price: float) -> str:
    return f"{qty} x {item} at {unit_price:.2f} = {qty * unit_price:.2f}"


@workflow
def line_total(qty: int, unit_price: float) -> str:
    return describe(item="widget", qty=add(a=qty, b=1), unit_price=unit_price)
