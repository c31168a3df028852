"""openapi-spec-validator, with its errors located in the document and reported as diagnostics.

Kept apart from generator.validate so that only a full validation (the curated specs) imports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError, best_match  # type: ignore[import-untyped,unused-ignore]
from jsonschema_path import SchemaPath
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.exceptions import (
    DuplicateOperationIDError,
    OpenAPIValidationError,
    UnresolvableParameterError,
)
from openapi_spec_validator.validation.validators import (
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
    SpecValidator,
)

from generator.diagnostics import Diagnostic, Level, shorten
from generator.load import Document
from generator.validate import MAX_VALIDATOR_ERRORS, RULE_VALID, real_pointer

_LOCATION = "_specgen_location"


def _located(err: ValidationError, base: SchemaPath, *suffix: str) -> ValidationError:
    """Record where in the document a keyword-level error happened.

    The validator's keyword checks report paths relative to the checked value; the SchemaPath they
    were given knows the absolute (logical) location. Errors are converted to the library's own
    type first, because its outer wrapper re-creates (and so strips) any other kind.
    """
    if not isinstance(err, OpenAPIValidationError):
        err = OpenAPIValidationError.create_from(err)
    if not hasattr(err, _LOCATION):
        setattr(err, _LOCATION, (*base.parts, *suffix, *err.absolute_path))
    return err


class _V30Schema(keywords.OpenAPIV30SchemaValidator):
    def __call__(
        self, schema: SchemaPath, require_properties: bool = True, meta_checked: bool = False
    ) -> Iterator[ValidationError]:
        for err in super().__call__(schema, require_properties, meta_checked):
            yield _located(err, schema)


class _V31Schema(keywords.OpenAPIV31SchemaValidator):
    def __call__(
        self, schema: SchemaPath, require_properties: bool = True, meta_checked: bool = False
    ) -> Iterator[ValidationError]:
        for err in super().__call__(schema, require_properties, meta_checked):
            yield _located(err, schema)


class _V30Value(keywords.OpenAPIV30ValueValidator):
    def __call__(self, schema: SchemaPath, value: Any) -> Iterator[ValidationError]:
        for err in super().__call__(schema, value):
            yield _located(err, schema, "default")


class _V31Value(keywords.OpenAPIV31ValueValidator):
    def __call__(self, schema: SchemaPath, value: Any) -> Iterator[ValidationError]:
        for err in super().__call__(schema, value):
            yield _located(err, schema, "default")


class _Parameters(keywords.ParametersValidator):
    def __call__(self, parameters: SchemaPath) -> Iterator[ValidationError]:
        for err in super().__call__(parameters):
            yield _located(err, parameters)


class _Tags(keywords.TagsValidator):
    def __call__(self, tags: SchemaPath) -> Iterator[ValidationError]:
        for err in super().__call__(tags):
            yield _located(err, tags)


class _V30(OpenAPIV30SpecValidator):
    # Never fetch anything: external refs are rejected before this runs.
    resolver_handlers = {}  # noqa: RUF012 - the base class declares it
    keyword_validators = {  # noqa: RUF012
        **OpenAPIV30SpecValidator.keyword_validators,
        "schema": _V30Schema,
        "default": _V30Value,
        "parameters": _Parameters,
        "tags": _Tags,
    }


class _V31(OpenAPIV31SpecValidator):
    resolver_handlers = {}  # noqa: RUF012 - the base class declares it
    keyword_validators = {  # noqa: RUF012
        **OpenAPIV31SpecValidator.keyword_validators,
        "schema": _V31Schema,
        "default": _V31Value,
        "parameters": _Parameters,
        "tags": _Tags,
    }


# Reported more precisely by the structural checks above.
_DUPLICATES = (DuplicateOperationIDError, UnresolvableParameterError)


def run_spec_validator(doc: Document) -> list[Diagnostic]:
    version = str(doc.data.get("openapi", ""))
    cls: type[SpecValidator] = _V31 if version.startswith("3.1") else _V30
    diags: list[Diagnostic] = []
    data = doc.data
    if isinstance(data.get("paths"), dict):
        # The validator takes every key of the Paths object for a path and crashes on an extension
        # there (legal, e.g. x-curation); extension values are not OpenAPI objects, so drop them.
        paths = {k: v for k, v in data["paths"].items() if not str(k).startswith("x-")}
        data = {**data, "paths": paths}
    try:
        for err in cls(data).iter_errors():
            if isinstance(err, _DUPLICATES):
                continue
            if len(diags) == MAX_VALIDATOR_ERRORS:
                diags.append(
                    doc.diagnostic(
                        "#",
                        f"more openapi-spec-validator errors not shown (first {MAX_VALIDATOR_ERRORS})",
                        rule=RULE_VALID,
                    )
                )
                break
            diags.append(_from_validator(doc, err))
    except Exception as exc:  # noqa: BLE001 - a validator crash must end as a diagnostic, not a traceback
        if not diags:  # after real errors, a crash is just their consequence
            diags.append(
                doc.diagnostic(
                    "#",
                    f"openapi-spec-validator failed: {type(exc).__name__}: {exc}",
                    rule=RULE_VALID,
                )
            )
    return diags


def _from_validator(doc: Document, err: ValidationError) -> Diagnostic:
    location = getattr(err, _LOCATION, None)
    if location is None:
        # Errors against the OpenAPI meta-schema: pick the most relevant branch of oneOf/anyOf.
        # (The wrapped top-level error lost its type checker, which best_match needs.)
        best = best_match(err.context) if err.context else err
        location = tuple(best.absolute_path)
        message = best.message
        ptr = real_pointer(doc.data, [str(t) for t in location])
    else:
        # Keyword checks are about the object itself, so name the definition, not the $ref to it.
        message = err.message
        ptr = real_pointer(doc.data, [str(t) for t in location], follow_last=True)
    return doc.diagnostic(ptr, shorten(message, 240), rule=RULE_VALID, level=Level.ERROR)
