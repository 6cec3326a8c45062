"""Read YAML safely while remembering the line of every value, addressed by JSON pointer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document with a JSON-pointer → line map."""

    file: str
    data: Any
    lines: dict[str, int]

    def line(self, pointer: str) -> int:
        """The line of the value at `pointer`, or of its nearest parent that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return 1
            pointer = pointer.rsplit("/", 1)[0]


class YamlSyntaxError(Exception):
    """The text is not valid YAML; carries the line where the parser stopped."""

    def __init__(self, file: str, line: int, message: str):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line} {message}")


def escape(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def load_yaml(path: Path, display_name: str | None = None) -> YamlDocument:
    """Load one YAML file with safe construction only."""
    return parse_yaml(path.read_text(encoding="utf-8"), display_name or str(path))


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse YAML text (safe types only) and map every node's pointer to its 1-based line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(file, line, f"invalid YAML: {exc.problem or exc.context}") from None
    if node is None:
        return YamlDocument(file, None, {"": 1})
    lines: dict[str, int] = {}
    _walk(node, "", lines)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # constructor errors (e.g. bad tag) after a clean compose
        raise YamlSyntaxError(file, 1, f"invalid YAML: {exc}") from None
    return YamlDocument(file, data, lines)


def _walk(node: yaml.Node, pointer: str, lines: dict[str, int]) -> None:
    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{pointer}/{escape(key)}"
            _walk(value_node, child, lines)
            # A problem about the key itself (unknown property) points at the key's line.
            lines.setdefault(child + "#key", key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{pointer}/{index}", lines)
