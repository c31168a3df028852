"""Every operation of every curated spec, called through its generated client against Prism
(`prism mock --errors`, request validation on): Prism reports no request violation and the
response parses into the method's declared return type."""

from __future__ import annotations

import json
import typing as t

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError

from . import _operations as ops
from ._prism import PrismPool

pytestmark = pytest.mark.contract

# (spec stem, operationId) -> why Prism cannot validate that operation as the spec means it
# (a strict xfail). Empty: every curated spec is representable in Prism. x-wire-format values
# stay strings with a pattern, which Prism validates; the PDF download is a string/binary body.
PRISM_LIMITS: dict[tuple[str, str], str] = {}


class Recorder:
    """httpx response hook: every exchange with Prism, for the assertions and their messages."""

    def __init__(self) -> None:
        self.responses: list[httpx.Response] = []

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.responses.append(response)

    def report(self) -> str:
        return (
            "\n".join(
                f"  {r.request.method} {r.request.url} -> {r.status_code}"
                f" sl-violations={r.headers.get('sl-violations')} body={r.text[:600]!r}"
                for r in self.responses
            )
            or "  (no response)"
        )


def _violations(response: httpx.Response) -> list[t.Any]:
    header = response.headers.get("sl-violations")
    if header is None:
        return []
    parsed = json.loads(header)
    return parsed if isinstance(parsed, list) else [parsed]


def _call(
    prism: PrismPool,
    case: ops.Case,
    extra_headers: dict[str, str] | None = None,
    **client_overrides: t.Any,
) -> tuple[t.Any, t.Any, Recorder]:
    """Call `case` through the generated client; returns (result, return annotation, recorder).
    A paginated operation's result is its first page."""
    recorder = Recorder()
    module = ops.package(case.stem)
    options = {**ops.client_options(case.stem), **client_overrides}
    with httpx.Client(event_hooks={"response": [recorder]}) as http:
        client = ops.client_class(case.stem)(
            api_key=ops.API_KEY,
            base_url=prism.base_url(case.stem),
            http_client=http,
            rate_limit=None,
            max_retries=0,
            **options,
        )
        method = ops.bound_method(client, case)
        expected = ops.return_type(method)
        args, kwargs = ops.arguments(method, case)
        try:
            result = method(*args, extra_headers=extra_headers, **kwargs)
            if t.get_origin(expected) is module.SyncPager:
                result = result.first_page()
        except module.APIError as error:
            message = (
                f"{case.id}: the client raised {type(error).__name__}: {error}\n{recorder.report()}"
            )
            pytest.fail(f"{message}\nPrism log:\n{prism.log(case.stem)[-1500:]}", pytrace=False)
    return result, expected, recorder


def _assert_no_violation(case: ops.Case, recorder: Recorder) -> None:
    assert recorder.responses, f"{case.id}: no request reached Prism"
    for response in recorder.responses:
        assert response.status_code != 422 and not _violations(response), (
            f"{case.id}: Prism reports a violation\n{recorder.report()}"
        )
        assert 200 <= response.status_code < 300, f"{case.id}: not a success\n{recorder.report()}"


def _dig(body: t.Any, dotted: str) -> t.Any:
    for key in filter(None, dotted.split(".")):
        body = body[key]
    return body


def _assert_typed(case: ops.Case, result: t.Any, expected: t.Any) -> None:
    module = ops.package(case.stem)
    if t.get_origin(expected) is module.SyncPager:
        (item,) = t.get_args(expected)
        assert isinstance(result, module.Page), f"{case.id}: first_page() gave {type(result)}"
        assert case.pagination is not None, f"{case.id}: a pager without x-pagination"
        served = _dig(result.raw, case.pagination["items"])
        assert len(result.items) == len(served), f"{case.id}: page items {result.items} != {served}"
        value, expected = result.items, list[item]  # type: ignore[valid-type]
    else:
        value = result
    try:
        # strict: the value must already be of the declared type (a model, not a dict).
        TypeAdapter(expected).validate_python(value, strict=True)
    except ValidationError as error:
        pytest.fail(f"{case.id}: the result is not a {expected}: {error}", pytrace=False)


def _assert_contract(
    prism: PrismPool, case: ops.Case, extra_headers: dict[str, str] | None = None
) -> None:
    result, expected, recorder = _call(prism, case, extra_headers)
    _assert_no_violation(case, recorder)
    _assert_typed(case, result, expected)


def _params(cases: list[ops.Case]) -> list[t.Any]:
    params = []
    for case in cases:
        key = (case.stem, case.operation_id)
        marks: list[pytest.MarkDecorator] = []
        if key in PRISM_LIMITS:
            marks.append(pytest.mark.xfail(strict=True, reason=PRISM_LIMITS[key]))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


CASES = ops.all_cases()


@pytest.mark.parametrize("case", _params(CASES))
def test_operation(prism: PrismPool, case: ops.Case) -> None:
    _assert_contract(prism, case)


def _auth_cases() -> list[t.Any]:
    """Each auth scheme a client offers, on the first operation of its spec that passes."""
    chosen = []
    for stem in ops.STEMS:
        case = next(
            c
            for c in ops.cases(stem)
            if (stem, c.operation_id) not in PRISM_LIMITS
        )
        chosen += [pytest.param(case, s, id=f"{stem}-{s}") for s in ops.auth_schemes(stem)]
    return chosen


@pytest.mark.parametrize(("case", "scheme"), _auth_cases())
def test_auth_scheme(prism: PrismPool, case: ops.Case, scheme: str) -> None:
    """Prism checks the security requirement: each credential style the client offers is one
    the spec accepts."""
    _, _, recorder = _call(prism, case, auth_scheme=scheme)
    _assert_no_violation(case, recorder)


def test_violation_is_reported(prism: PrismPool) -> None:
    """The harness sees a request violation: Notify's createCustomer without its required
    customerCode comes back as the documented 400 with an sl-violations header, and the
    assertion the contract cases use rejects it."""
    case = next(c for c in ops.cases("notify") if c.operation_id == "createCustomer")
    module = ops.package("notify")
    recorder = Recorder()
    with httpx.Client(event_hooks={"response": [recorder]}) as http:
        client = module.NotifyClient(
            api_key=ops.API_KEY,
            base_url=prism.base_url("notify"),
            http_client=http,
            rate_limit=None,
            max_retries=0,
        )
        with pytest.raises(module.BadRequestError):
            client.customers.create(
                body=module.CustomerCreate.model_construct(name="Creditpartners B.V.")
            )
    (response,) = recorder.responses
    assert any("customerCode" in v["message"] for v in _violations(response))
    with pytest.raises(AssertionError, match="Prism reports a violation"):
        _assert_no_violation(case, recorder)


def test_every_spec_has_cases() -> None:
    """The parametrization reads every curated spec (a spec with no operations would pass
    silently otherwise)."""
    stems = {case.stem for case in CASES}
    assert stems == set(ops.STEMS) == {p.stem for p in ops.SPECS.glob("*.yaml")}
