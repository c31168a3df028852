"""Docstrings for the IDE: every method documents its arguments (with their limits), what it returns
and what it raises; HTML from public specs becomes plain text and can never leave the docstring."""

from __future__ import annotations

import ast
from pathlib import Path

from generator.pipeline import render_spec
from generator.render import plain

SPEC = r'''
openapi: 3.1.0
info: {title: Shop, version: 1.0.0}
servers: [{url: 'https://shop.test'}]
paths:
  /customers:
    get:
      operationId: listCustomers
      tags: [customers]
      summary: List customers
      description: '<p>Lists <b>every</b> customer &amp; more.</p><ul><li>newest first</li></ul> """ + __import__("os") + """ \'
      parameters:
        - {name: limit, in: query, description: <p>Page size.</p>, schema: {type: integer, minimum: 1, maximum: 250, default: 25}}
      responses:
        '200':
          description: The customers.
          content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Customer'}}}}
        '404':
          description: No such shop.
          content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
    post:
      operationId: createCustomer
      tags: [customers]
      summary: Create a customer
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string, maxLength: 40, description: The customer's name.}
      responses:
        '201':
          description: Created.
          content: {application/json: {schema: {$ref: '#/components/schemas/Customer'}}}
components:
  schemas:
    Customer: {type: object, properties: {id: {type: string}}}
    Error: {type: object, properties: {message: {type: string}}}
'''


def _docstrings(tmp_path: Path) -> dict[str, str]:
    spec = tmp_path / "shop.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    source = next(t for p, t in result.files.items() if p.as_posix().endswith("resources/customers.py"))
    tree = ast.parse(source)  # the spec text did not break out of the docstring
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "CustomersResource")
    return {f.name: ast.get_docstring(f) or "" for f in cls.body if isinstance(f, ast.FunctionDef)}


def test_every_method_has_args_returns_raises_with_limits(tmp_path: Path) -> None:
    docs = _docstrings(tmp_path)
    listing = docs["list"]
    assert "Args:\n    limit: Page size. Optional, query `limit`. At least 1; at most 250; default 25." in listing
    assert "Returns:\n    `list[Customer]`: The customers." in listing
    assert "NotFoundError: 404: No such shop. `exc.body`: `Error`." in listing
    assert "Raises:" in listing and "APIConnectionError" in listing
    create = docs["create"]
    assert "name: The customer's name. Required. At most 40 characters." in create
    assert "Returns:\n    `Customer`: Created." in create


def test_html_becomes_plain_text_and_stays_inside_the_docstring(tmp_path: Path) -> None:
    listing = _docstrings(tmp_path)["list"]
    assert "Lists every customer & more.\n\n- newest first" in listing
    assert "<p>" not in listing and "&amp;" not in listing
    assert '""" + __import__("os") + """' in listing  # kept as text, escaped in the source
    assert plain("Plain *Markdown* with a < b") == "Plain *Markdown* with a < b"
