"""Liberal in what the client accepts: drifted 2xx bodies are returned, typed as far as they
validate, and logged once per operation and field path; strict mode raises. Raw responses give
the status and headers; bodies without a schema are never thrown away."""

from __future__ import annotations

import enum
import logging
from decimal import Decimal

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .server import Reply

SECRET = "sk_live_response_drift_secret"


class Status(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"


class Address(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    city: str
    zip_code: str = Field(alias="zipCode")


class Debtor(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: int
    name: str = Field(max_length=5)
    status: Status
    amount: Decimal
    address: Address | None = None
    tags: list[str] = []
    country: str = "ES"  # a default that must not be invented for a missing field


GOOD = {"id": 1, "name": "Ann", "status": "open", "amount": "1.50", "address": {"city": "Porto", "zipCode": "4000"}}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


@pytest.fixture
def drift_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="rtpkg")
    return caplog


def _get(rt, api, path: str = "/debtors/1", **options):
    spec = rt.ResponseSpec(operation="getDebtor", success=Debtor)
    return api.request(rt.RequestOptions(method="GET", path=path, **options), spec)


def test_matching_body_is_parsed_without_warning(rt, server, make_api, drift_log):
    server.reply(Reply(body=GOOD))
    debtor = _get(rt, make_api(base_url=server.url))
    assert debtor == Debtor.model_validate(GOOD)
    assert debtor.country == "ES"  # a valid body keeps the model's own behaviour
    assert _warnings(drift_log) == []


@pytest.mark.parametrize(
    ("body", "field", "expected"),
    [
        ({**GOOD, "status": "archived"}, "status", "archived"),  # unknown enum value: plain str
        ({**GOOD, "amount": "lots"}, "amount", "lots"),  # wrong type: kept as sent
        ({**GOOD, "name": "Annabelle"}, "name", "Annabelle"),  # constraint broken: kept
        ({**GOOD, "id": None}, "id", None),  # null where not nullable
    ],
)
def test_drifted_field_is_kept_as_sent_and_the_rest_typed(rt, server, make_api, drift_log, body, field, expected):
    server.reply(Reply(body=body))
    debtor = _get(rt, make_api(base_url=server.url))
    assert isinstance(debtor, Debtor)
    assert getattr(debtor, field) == expected
    assert debtor.amount == Decimal("1.50") or field == "amount"
    assert isinstance(debtor.address, Address) and debtor.address.zip_code == "4000"
    assert debtor.status is Status.OPEN or field == "status"
    (warning,) = _warnings(drift_log)
    assert "getDebtor" in warning and f" at {field}:" in warning


def test_missing_fields_are_none_not_defaults_and_unknown_fields_are_kept(rt, server, make_api, drift_log):
    server.reply(Reply(body={"id": 7, "status": "paid", "amount": 2, "address": {"city": "Faro", "extra": 1}, "vip": True}))
    debtor = _get(rt, make_api(base_url=server.url))
    assert (debtor.id, debtor.status, debtor.amount) == (7, Status.PAID, Decimal(2))
    assert debtor.name is None and debtor.country is None  # missing: None, never the default
    assert debtor.address.city == "Faro" and debtor.address.zip_code is None
    assert debtor.vip is True and debtor.model_extra == {"vip": True}
    assert debtor.address.extra == 1
    dumped = debtor.model_dump(by_alias=True, exclude_unset=True)
    assert dumped["vip"] is True and dumped["address"] == {"city": "Faro", "extra": 1}
    paths = sorted(w.split(" at ")[1].split(":")[0] for w in _warnings(drift_log))
    assert paths == ["address.zipCode", "name"]


def test_unknown_fields_of_a_valid_body_are_kept(rt, server, make_api, drift_log):
    server.reply(Reply(body={**GOOD, "riskScore": 3}))
    debtor = _get(rt, make_api(base_url=server.url))
    assert debtor.riskScore == 3 and debtor.model_dump()["riskScore"] == 3
    assert _warnings(drift_log) == []


def test_each_drift_is_logged_once_per_operation_and_path(rt, server, make_api, drift_log):
    server.route = lambda r: Reply(body={**GOOD, "status": "archived"})
    api = make_api(base_url=server.url)
    for _ in range(3):
        assert _get(rt, api).status == "archived"
    assert len(_warnings(drift_log)) == 1
    other = rt.ResponseSpec(operation="updateDebtor", success=Debtor)
    api.request(rt.RequestOptions(method="GET", path="/x"), other)
    assert len(_warnings(drift_log)) == 2


def test_list_items_drift_collapses_to_one_path(rt, server, make_api, drift_log):
    server.reply(Reply(body=[{**GOOD, "status": "x"}, GOOD, {**GOOD, "status": "y"}]))
    api = make_api(base_url=server.url)
    got = api.request(rt.RequestOptions(method="GET", path="/d"), rt.ResponseSpec(operation="listDebtors", success=list[Debtor]))
    assert [d.status for d in got] == ["x", Status.OPEN, "y"]
    assert all(isinstance(d, Debtor) for d in got)
    (warning,) = _warnings(drift_log)
    assert " at [].status:" in warning


def test_union_picks_the_closest_member(rt, server, make_api, drift_log):
    class Wrapper(BaseModel):
        debtors: list[Debtor]

    server.reply(Reply(body={"debtors": [{**GOOD, "amount": "n/a"}]}))
    api = make_api(base_url=server.url)
    spec = rt.ResponseSpec(operation="listDebtors", success=list[Debtor] | Wrapper)
    got = api.request(rt.RequestOptions(method="GET", path="/d"), spec)
    assert isinstance(got, Wrapper) and got.debtors[0].amount == "n/a" and got.debtors[0].name == "Ann"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(body=b""), None),  # empty body where JSON was documented
        (Reply(body=b"<html>busy</html>", headers={"Content-Type": "text/html"}), "<html>busy</html>"),
        (Reply(body=[1, 2]), [1, 2]),  # a list where an object was documented
    ],
)
def test_unreadable_body_is_returned_with_a_warning(rt, server, make_api, drift_log, reply, expected):
    server.reply(reply)
    assert _get(rt, make_api(base_url=server.url)) == expected
    (warning,) = _warnings(drift_log)
    assert "getDebtor" in warning


@pytest.mark.parametrize(
    "body", [{**GOOD, "status": "archived"}, {"id": 1}, b"", b"not json", {**GOOD, "vip": 1, "id": "x"}]
)
def test_strict_mode_raises_on_any_mismatch(rt, server, make_api, body):
    server.reply(Reply(body=body))
    api = make_api(base_url=server.url, strict_response_validation=True)
    with pytest.raises(rt.ResponseValidationError) as caught:
        _get(rt, api)
    assert caught.value.response.status_code == 200
    if isinstance(body, dict):
        assert isinstance(caught.value.__cause__, ValidationError)


def test_strictness_per_call_overrides_the_client(rt, server, make_api, drift_log):
    server.route = lambda r: Reply(body={**GOOD, "status": "archived"})
    lenient_client = make_api(base_url=server.url)
    with pytest.raises(rt.ResponseValidationError):
        _get(rt, lenient_client, strict_response_validation=True)
    strict_client = make_api(base_url=server.url, strict_response_validation=True)
    assert _get(rt, strict_client, strict_response_validation=False).status == "archived"


def test_drift_warning_redacts_credentials(rt, server, make_api, drift_log):
    server.reply(Reply(body={**GOOD, "status": SECRET}))
    api = make_api(base_url=server.url, auth_query={"api_key": SECRET}, secrets=[SECRET])
    assert _get(rt, api).status == SECRET  # the value is returned to the caller...
    text = " ".join(_warnings(drift_log)) + " ".join(str(r.args) for r in drift_log.records)
    assert "getDebtor" in text
    assert SECRET not in text  # ...but never logged


def test_post_with_drifted_body_is_neither_raised_nor_retried(rt, server, make_api, drift_log):
    server.route = lambda r: Reply(status=201, body={"id": 9, "unexpected": "shape", "status": "new"})
    api = make_api(base_url=server.url, max_retries=3)
    spec = rt.ResponseSpec(operation="createDebtor", success=Debtor)
    created = api.request(rt.RequestOptions(method="POST", path="/debtors", json={"name": "Ann"}), spec)
    assert created.id == 9 and created.status == "new" and created.unexpected == "shape"
    assert len(server.received) == 1
    assert _warnings(drift_log)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(body={"a": [1]}), {"a": [1]}),
        (Reply(body=b"plain words", headers={"Content-Type": "text/plain"}), "plain words"),
        (Reply(body=b"\x00\x01", headers={"Content-Type": "application/octet-stream"}), b"\x00\x01"),
        (Reply(body=b"{broken", headers={"Content-Type": "application/json"}), "{broken"),
        (Reply(status=200, body=b""), None),
    ],
)
def test_response_without_schema_returns_the_decoded_body(rt, server, make_api, reply, expected):
    server.reply(reply)
    api = make_api(base_url=server.url)
    got = api.request(rt.RequestOptions(method="GET", path="/v"), rt.ResponseSpec(body="any"))
    assert got == expected and type(got) is type(expected)


def test_json_and_text_alternatives_are_read_by_media_type(rt, server, make_api, drift_log):
    server.reply(Reply(body=GOOD), Reply(body=b"queued", headers={"Content-Type": "text/plain"}), Reply(status=202, body=b""))
    api = make_api(base_url=server.url)
    spec = rt.ResponseSpec(operation="getDebtor", success=Debtor, text_ok=True, empty_ok=True)
    options = rt.RequestOptions(method="GET", path="/d")
    assert isinstance(api.request(options, spec), Debtor)
    assert api.request(options, spec) == "queued"
    assert api.request(options, spec) is None
    assert _warnings(drift_log) == []


def test_raw_response_gives_status_headers_and_parsed_body(rt, server, make_api, drift_log):
    server.reply(Reply(status=201, body={**GOOD, "status": "archived"}, headers={"X-Request-Id": "req-1"}))
    api = make_api(base_url=server.url)
    raw_client = api.client.with_raw_response()
    assert raw_client._http_client is api.client._http_client
    spec = rt.ResponseSpec(operation="getDebtor", success=Debtor)
    options = rt.RequestOptions(method="GET", path="/d")
    response = api.run(raw_client.request(options, spec)) if api.kind == "async" else raw_client.request(options, spec)
    assert isinstance(response, rt.APIResponse)
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req-1"
    assert response.json()["status"] == "archived"
    parsed = response.parse()
    assert isinstance(parsed, Debtor) and parsed.status == "archived"
    assert response.parse() is parsed
    assert "201" in repr(response)
    # the plain client is unchanged by the view
    server.reply(Reply(body=GOOD))
    assert isinstance(_get(rt, api), Debtor)


def test_raw_response_of_a_paginated_call_is_the_first_page(rt, server, make_api):
    server.reply(Reply(body={"data": [GOOD], "total": 1}, headers={"X-Total": "1"}))
    api = make_api(base_url=server.url)
    raw_client = api.client.with_raw_response()
    config = rt.PagePagination(items="data", page_param="page", size_param=None, total="total")
    result = raw_client.paginate(rt.RequestOptions(method="GET", path="/d"), config, rt.ResponseSpec(success=Debtor))
    response = api.run(result) if api.kind == "async" else result
    assert response.headers["x-total"] == "1"
    page = response.parse()
    assert isinstance(page, rt.Page) and [d.name for d in page.items] == ["Ann"]
    assert server.received[0].query["page"] == ["1"]


def test_error_statuses_still_raise(rt, server, make_api):
    server.reply(Reply(status=404, body={"title": "gone"}))
    api = make_api(base_url=server.url, max_retries=0)
    with pytest.raises(rt.NotFoundError):
        _get(rt, api)


def test_body_where_none_was_documented_is_logged_and_reachable_raw(rt, server, make_api, drift_log):
    server.route = lambda r: Reply(body={"deleted": True})
    api = make_api(base_url=server.url)
    spec = rt.ResponseSpec(operation="deleteDebtor", body="none")
    options = rt.RequestOptions(method="DELETE", path="/d/1")
    assert api.request(options, spec) is None
    (warning,) = _warnings(drift_log)
    assert "deleteDebtor" in warning and "none was documented" in warning
    raw_client = api.client.with_raw_response()
    result = raw_client.request(options, spec)
    response = api.run(result) if api.kind == "async" else result
    assert response.json() == {"deleted": True} and response.parse() is None


def test_a_lazy_field_validates_as_the_model_it_stands_for_and_builds_tolerantly(rt):
    from typing import Annotated, Literal

    from pydantic import create_model

    # as a split models module binds a model of its cycle defined in another module
    stand_in = rt.ref(__package__, "." + __name__.rpartition(".")[2], "Address")
    assert rt.resolve(list[stand_in] | None) == list[Address] | None
    assert rt.resolve(Annotated[dict[str, stand_in], "m"]) == Annotated[dict[str, Address], "m"]
    assert rt.resolve(Literal["a"]) == Literal["a"]
    holder = create_model("Holder", name=(str, ...), home=(Annotated[stand_in | None, rt.LAZY], None))
    valid = holder.model_validate_json('{"name": "n", "home": {"city": "c", "zipCode": "1"}}')
    assert type(valid.home) is Address and valid.model_dump(by_alias=True)["home"] == {"city": "c", "zipCode": "1"}
    with pytest.raises(ValidationError) as caught:
        holder.model_validate({"name": "n", "home": {"city": "c"}})
    assert [e["loc"] for e in caught.value.errors()] == [("home", "zipCode")]
    built = rt.lenient(holder, {"name": 5, "home": {"city": "c", "zipCode": 7, "x": 1}})
    assert built.name == 5 and type(built.home) is Address
    assert (built.home.city, built.home.zip_code, built.home.x) == ("c", 7, 1)


class LateOuter(BaseModel):
    model_config = ConfigDict(defer_build=True)  # as generated: built on first use
    inner: LateInner | None = None


class LateInner(BaseModel):
    model_config = ConfigDict(defer_build=True)
    n: int
    tag: LateTag | None = None


class LateTag(BaseModel):
    model_config = ConfigDict(defer_build=True)
    label: str


def test_models_defined_after_their_referrers_are_built_tolerantly(rt):
    """A deferred model's fields name later classes as forward references until it completes; a
    validator built for another model covering it does not complete it."""
    built = rt.lenient(LateOuter, {"inner": {"n": "x", "tag": {"label": "l"}}})
    assert type(built) is LateOuter and type(built.inner) is LateInner
    assert built.inner.n == "x" and type(built.inner.tag) is LateTag and built.inner.tag.label == "l"
