"""Validates recorded API responses against the OpenAPI document.

usage: validate_responses.py OPENAPI_JSON EXCHANGES_JSON

EXCHANGES_JSON is a list of {method, path, status, content_type, body}. Each response must be
one the operation declares (by status), with the declared media type, and its body must match
the declared schema (OpenAPI 3.0 semantics: nullable, readOnly/writeOnly, formats). Prints one
line per failure; exits 1 if any.
"""

import json
import re
import sys

from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOC_URI = "urn:openapi"


def pointer(*parts):
    return "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def follow(doc, node):
    """A response object, following `#/components/...` references."""
    while isinstance(node, dict) and "$ref" in node:
        target = doc
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def main():
    doc = json.load(open(sys.argv[1]))
    exchanges = json.load(open(sys.argv[2]))
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(doc, default_specification=DRAFT4))
    templates = []
    for template in doc["paths"]:
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        templates.append((template, re.compile(regex)))
    failures = 0
    checked = 0
    for ex in exchanges:
        path = ex["path"].split("?")[0]
        method = ex["method"].lower()
        where = f'{ex["method"]} {ex["path"]} -> {ex["status"]}'
        matches = [t for t, rx in templates if rx.match(path)]
        if not matches:
            continue  # not an API operation (health, openapi.json, unknown routes)
        template = matches[0]
        operation = doc["paths"][template].get(method)
        if operation is None:
            continue  # 405: not an operation of the document
        responses = operation["responses"]
        status = str(ex["status"])
        if status not in responses:
            print(f"{where}: status {status} is not declared by {operation['operationId']} ({', '.join(responses)})")
            failures += 1
            continue
        response = follow(doc, responses[status])
        content = response.get("content")
        if not content:
            if ex["body"]:
                print(f"{where}: declared without a body, but one was sent")
                failures += 1
            continue
        media = ex["content_type"].split(";")[0].strip()
        if media not in content:
            print(f"{where}: media type {media!r}, declared {list(content)}")
            failures += 1
            continue
        schema_ref = {"$ref": DOC_URI + "#/" + pointer("paths", template, method, "responses", status, "content", media, "schema")}
        if "$ref" in responses[status]:
            name = responses[status]["$ref"].split("/")[-1]
            schema_ref = {"$ref": DOC_URI + "#/" + pointer("components", "responses", name, "content", media, "schema")}
        validator = OAS30ReadValidator(schema_ref, registry=registry, format_checker=oas30_format_checker)
        body = json.loads(ex["body"])
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        for error in errors[:3]:
            print(f"{where}: {'/'.join(map(str, error.path)) or '(body)'}: {error.message[:300]}")
        failures += bool(errors)
        checked += 1
    print(f"{checked} response bodies checked, {failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
