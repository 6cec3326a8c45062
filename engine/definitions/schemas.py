"""Validate definition documents against the JSON Schemas in metadata/, reporting every problem with its line."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from engine.definitions.suggest import closest
from engine.definitions.yamlsource import YamlDocument, escape
from engine.errors import Problem
from engine.i18n import text, zh_en

METADATA_DIR = Path(__file__).resolve().parents[2] / "metadata"


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in sorted(METADATA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(schema)
        resources.append((schema.get("$id", path.name), resource))
        resources.append((path.name, resource))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def validator(kind: str) -> Draft202012Validator:
    """The validator of one document kind."""
    from engine.definitions.kinds import get_kind  # the registry loads the kinds' builders and checks

    schema = json.loads((METADATA_DIR / get_kind(kind).schema_file).read_text(encoding="utf-8"))
    return Draft202012Validator(schema, registry=_registry())


def kind_of(data: Any) -> str | None:
    """A document's kind: its first top-level key, if that is a registered kind."""
    from engine.definitions.kinds import kind_names  # the registry loads the kinds' builders and checks

    if isinstance(data, dict) and data:
        first = next(iter(data))
        if first in kind_names():
            return str(first)
    return None


def schema_problems(doc: YamlDocument, kind: str) -> list[Problem]:
    """Every schema violation in a document, one problem per place, with a suggestion where one fits."""
    problems: dict[tuple[str, str], Problem] = {}
    for error in validator(kind).iter_errors(doc.data):
        for problem in _problems_of(doc, _deepest(error)):
            problems.setdefault((problem.path, text(problem.message, "en")), problem)
    return sorted(problems.values(), key=lambda p: (p.line, p.path))


MISSING_WORDS = {"formula": zh_en("请输入公式", "enter a formula")}  # a key left empty, said as what to do


def _deepest(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the branch error that got furthest into the document."""
    if error.context:
        best = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type", -len(e.context or [])))
        if len(best.absolute_path) >= len(error.absolute_path):
            return _deepest(best)
    return error


def _pointer(path: Any) -> str:
    return "".join(f"/{escape(str(p))}" for p in path)


def _problems_of(doc: YamlDocument, error: ValidationError) -> list[Problem]:
    pointer = _pointer(error.absolute_path)
    line = doc.line(pointer)
    validator_name = error.validator
    if validator_name == "additionalProperties" and isinstance(error.instance, dict):
        allowed = list((error.schema or {}).get("properties", {}) if isinstance(error.schema, dict) else [])
        extras = [k for k in error.instance if k not in allowed]
        return [
            Problem(doc.file, doc.lines.get(f"{pointer}/{escape(str(k))}#key", line), f"{pointer}/{escape(str(k))}",
                    zh_en(f"未知属性“{k}”", f"unknown property '{k}'"), closest(str(k), allowed))
            for k in extras
        ] or [Problem(doc.file, line, pointer, generic_message(error))]
    if validator_name == "propertyNames" and isinstance(error.instance, dict):
        allowed = list(error.validator_value.get("enum", [])) if isinstance(error.validator_value, dict) else []
        kind = error.instance.get("type", "")
        return [
            Problem(doc.file, doc.lines.get(f"{pointer}/{escape(str(k))}#key", line), f"{pointer}/{escape(str(k))}",
                    _not_for_type(str(k), kind), closest(str(k), allowed))
            for k in error.instance if k not in allowed
        ] or [Problem(doc.file, line, pointer, generic_message(error))]
    if validator_name == "unevaluatedProperties" and isinstance(error.instance, dict):
        return [Problem(doc.file, line, pointer, generic_message(error))]
    if validator_name == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        if missing in MISSING_WORDS:
            return [Problem(doc.file, line, f"{pointer}/{escape(missing)}", MISSING_WORDS[missing])]
        return [Problem(doc.file, line, pointer, zh_en(f"缺少必填属性“{missing}”", f"missing required property '{missing}'"))]
    if validator_name == "enum" and "propertyNames" in error.schema_path:
        key = str(error.instance)
        parent = _at(doc.data, error.absolute_path)
        kind = parent.get("type", "") if isinstance(parent, dict) else ""
        allowed = [str(o) for o in error.validator_value]
        return [Problem(doc.file, doc.lines.get(f"{pointer}/{escape(key)}#key", line), f"{pointer}/{escape(key)}",
                        _not_for_type(key, kind), closest(key, allowed))]
    if validator_name in ("enum", "const"):
        options = error.validator_value if validator_name == "enum" else [error.validator_value]
        shown = ", ".join(map(str, options[:12])) + (", …" if len(options) > 12 else "")
        zh_shown = "、".join(map(str, options[:12])) + ("…" if len(options) > 12 else "")
        suggestion = closest(str(error.instance), [str(o) for o in options])
        if pointer.endswith("/type") and "/fields/" in pointer:
            return [Problem(doc.file, line, pointer, zh_en(f"未知字段类型“{error.instance}”",
                                                           f"unknown field type '{error.instance}'"), suggestion)]
        return [Problem(doc.file, line, pointer, zh_en(f"“{error.instance}”不是可选值之一:{zh_shown}",
                                                       f"'{error.instance}' is not one of: {shown}"), suggestion)]
    if validator_name == "type":
        value = error.validator_value
        expected = [str(e) for e in value] if isinstance(value, list) else [str(value)]
        got = _json_type(error.instance)

        return [Problem(doc.file, line, pointer, zh_en(
            f"应为{'或'.join(JSON_TYPES_ZH.get(e, e) for e in expected)},实际是{JSON_TYPES_ZH.get(got, got)}",
            f"expected {' or '.join(expected)}, got {got}"))]
    if validator_name == "minLength" and pointer.rsplit("/", 1)[-1] in MISSING_WORDS:
        return [Problem(doc.file, line, pointer, MISSING_WORDS[pointer.rsplit("/", 1)[-1]])]
    if validator_name == "pattern":
        return [Problem(doc.file, line, pointer, zh_en(f"“{error.instance}”不符合格式 {error.validator_value}",
                                                       f"'{error.instance}' does not match the pattern "
                                                       f"{error.validator_value}"))]
    return [Problem(doc.file, line, pointer, generic_message(error))]


def _not_for_type(key: str, kind: str) -> dict[str, str]:
    return zh_en(f"属性“{key}”不适用于“{kind}”类型的字段", f"property '{key}' does not apply to a field of type '{kind}'")


JSON_TYPES_ZH = {"string": "文本", "integer": "整数", "number": "数字", "boolean": "是/否(true/false)",
                 "array": "列表", "object": "键值映射", "null": "空值"}

# The Chinese of the other JSON Schema checks, by validator; `v` is the schema's value, `x` the value found.
# The English is jsonschema's own message, which names the values the same way.
_ZH: dict[str, Callable[[Any, Any], str]] = {
    "minimum": lambda v, x: f"{x} 小于最小值 {v}",
    "maximum": lambda v, x: f"{x} 大于最大值 {v}",
    "exclusiveMinimum": lambda v, x: f"{x} 必须大于 {v}",
    "exclusiveMaximum": lambda v, x: f"{x} 必须小于 {v}",
    "multipleOf": lambda v, x: f"{x} 不是 {v} 的倍数",
    "minLength": lambda v, x: f"“{x}”太短,至少 {v} 个字符",
    "maxLength": lambda v, x: f"“{str(x)[:40]}”太长,最多 {v} 个字符",
    "minItems": lambda v, x: f"至少需要 {v} 项,现在有 {len(x)} 项",
    "maxItems": lambda v, x: f"最多 {v} 项,现在有 {len(x)} 项",
    "uniqueItems": lambda v, x: "列表中有重复的项",
    "minProperties": lambda v, x: f"至少需要 {v} 个属性",
    "maxProperties": lambda v, x: f"最多 {v} 个属性",
    "const": lambda v, x: f"值必须是 {v}",
    "oneOf": lambda v, x: "这个值不符合任何一种允许的写法",
    "anyOf": lambda v, x: "这个值不符合任何一种允许的写法",
    "not": lambda v, x: "这里不允许这个值",
    "format": lambda v, x: f"“{x}”不是有效的 {v} 格式",
    "additionalProperties": lambda v, x: "不允许有其他属性",
    "unevaluatedProperties": lambda v, x: "有不允许的属性:" + "、".join(map(str, x if isinstance(x, dict) else ())),
    "unevaluatedItems": lambda v, x: "列表中有不允许的项",
    "propertyNames": lambda v, x: "有不允许的属性名",
    "dependentRequired": lambda v, x: f"还需要属性:{'、'.join(map(str, v)) if isinstance(v, list) else v}",
}


def generic_message(error: ValidationError) -> dict[str, str]:
    """A schema check not reported in words of our own: jsonschema's English, and Chinese by validator kind."""
    zh = _ZH.get(str(error.validator))
    return zh_en(zh(error.validator_value, error.instance) if zh else f"不符合定义的格式:{error.message}",
                 error.message)



def _at(data: Any, path: Any) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
