"""Read YAML safely and within bounds, remembering the line of every value, addressed by JSON pointer.

A definition is written by people (and by the designer) and may come from anyone with publish rights, so the
reader never trusts its size. Bounds are checked *while* parsing, before anything is expanded:

- the text's size (a definition file is small; sample data may be larger);
- the nesting depth, counted as nodes are composed (a 100,000-deep `[[[…` stops at the limit, not in a
  RecursionError);
- aliases: at most `max_aliases` of them, and the document's size *with every alias expanded* — counted once per
  distinct node on the composed graph, so a "billion laughs" document is measured in microseconds and refused
  before the line map, the constructor or the schema check would walk its billion values.

Aliases are allowed within the budget rather than refused outright: hand-written definitions in git use anchors to
share an option list or a column layout, and refusing them would break such folders for no gain — the expanded-size
budget is what makes a bomb harmless, whatever its shape.

Parsing is libyaml's (PyYAML's C loader, ten times faster than its Python one; every publish and every start reads
all definitions): it composes at most 1,000 levels deep and never expands an alias, so depth and aliases are counted
on the composed graph, before anything else walks it. Without libyaml, the Python loader counts them as it composes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from engine.i18n import text, zh_en


@dataclass(frozen=True)
class YamlLimits:
    """How large a YAML text may be, before and after its aliases are expanded."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 64
    max_aliases: int = 1_000
    max_values: int = 200_000  # scalars, lists and mappings once every alias is expanded


DEFINITION_LIMITS = YamlLimits()
DATA_LIMITS = YamlLimits(max_bytes=32 * 1024 * 1024, max_values=5_000_000)  # sample data shipped with a template


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
    """The text is not valid YAML or is too large; carries the line where reading stopped."""

    def __init__(self, file: str, line: int, message: dict[str, str]):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line} {text(message, 'en')}")


def escape(token: str) -> str:
    """Escape one JSON-pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def read_bounded(path: Path, limits: YamlLimits = DEFINITION_LIMITS) -> str:
    """A file's text, reading at most one byte past the limit (enough for `parse_yaml` to refuse it)."""
    with path.open("rb") as stream:
        raw = stream.read(limits.max_bytes + 1)
    return raw.decode("utf-8", errors="replace")


def load_yaml(path: Path, display_name: str | None = None, limits: YamlLimits = DEFINITION_LIMITS) -> YamlDocument:
    """Load one YAML file with safe construction only."""
    return parse_yaml(read_bounded(path, limits), display_name or str(path), limits)


def parse_yaml(text: str, file: str, limits: YamlLimits = DEFINITION_LIMITS) -> YamlDocument:
    """Parse YAML text (safe types only, within `limits`) and map every node's pointer to its 1-based line."""
    loader = _compose(text, file, limits)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(file, None, {"": 1})
        _check_shape(node, file, limits)
        expanded = _expanded_size(node, {})
        if expanded > limits.max_values:
            raise YamlSyntaxError(file, node.start_mark.line + 1, zh_en(
                f"展开别名后文档有 {expanded:,} 个值,最多允许 {limits.max_values:,} 个",
                f"the document holds {expanded:,} values once its aliases are expanded; "
                f"at most {limits.max_values:,} are allowed"))
        lines: dict[str, int] = {}
        _walk(node, "", lines)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # libyaml marks the end of a text without a final newline on the line after it: the last line is meant
        line = min(mark.line + 1, len(text.splitlines()) or 1) if mark else 1
        if exc.problem == LIBYAML_TOO_DEEP:
            raise YamlSyntaxError(file, line, _too_deep(limits)) from None
        raise YamlSyntaxError(file, line, _invalid(exc.problem or exc.context)) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(file, 1, _invalid(exc)) from None
    finally:
        loader.dispose()
    return YamlDocument(file, data, lines)


def safe_data(text: str, file: str = "document", limits: YamlLimits = DEFINITION_LIMITS) -> Any:
    """The data of a YAML text (safe types, within `limits`); YamlSyntaxError names the line of any problem."""
    return parse_yaml(text, file, limits).data


def _compose(text: str, file: str, limits: YamlLimits) -> yaml.SafeLoader | yaml.CSafeLoader:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limits.max_bytes:
        raise YamlSyntaxError(file, 1, zh_en(f"文件超过 {_size_text(limits.max_bytes)},这是单个文件的上限;请拆成几个小文件",
                                             f"the file is larger than {_size_text(limits.max_bytes)}, the most one "
                                             "file may hold; split it into smaller files"))
    return yaml.CSafeLoader(text) if yaml.__with_libyaml__ else _BoundedLoader(text, file, limits)


LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"  # libyaml's words past its own 1,000 levels


def _check_shape(root: yaml.Node, file: str, limits: YamlLimits) -> None:
    """Depth and aliases of a composed document, in document order, without recursion (a graph libyaml composed may
    be 1,000 levels deep): an alias is a node met again, counted at the line of the collection holding it."""
    seen: set[int] = set()
    aliases = 0
    stack: list[tuple[yaml.Node, int, yaml.Node]] = [(root, 1, root)]
    while stack:
        node, depth, parent = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > limits.max_aliases:
                raise YamlSyntaxError(file, parent.start_mark.line + 1, _too_many_aliases(limits))
            continue
        seen.add(id(node))
        if depth > limits.max_depth:
            raise YamlSyntaxError(file, node.start_mark.line + 1, _too_deep(limits))
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            continue
        stack.extend((child, depth + 1, node) for child in reversed(children))


def _too_deep(limits: YamlLimits) -> dict[str, str]:
    return zh_en(f"值的嵌套超过 {limits.max_depth} 层", f"values are nested more than {limits.max_depth} levels deep")


def _too_many_aliases(limits: YamlLimits) -> dict[str, str]:
    return zh_en(f"一个文档中的别名(*name)超过 {limits.max_aliases:,} 个",
                 f"more than {limits.max_aliases:,} aliases (*name) in one document")


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that stops composing at the depth and alias limits (the mark of the offending node is kept): the
    loader used where PyYAML was built without libyaml."""

    def __init__(self, text: str, file: str, limits: YamlLimits):
        super().__init__(text)
        self._file, self._limits, self._depth, self._aliases = file, limits, 0, 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > self._limits.max_aliases:
                raise YamlSyntaxError(self._file, self._line(), _too_many_aliases(self._limits))
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > self._limits.max_depth:
                raise YamlSyntaxError(self._file, self._line(), _too_deep(self._limits))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _line(self) -> int:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        return int(event.start_mark.line) + 1 if event.start_mark else 1


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values the node stands for once aliases are expanded (each distinct node measured once)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, sizes) for item in node.value)
    else:
        size = 1
    sizes[id(node)] = size
    return size


def _invalid(detail: object) -> dict[str, str]:
    """`invalid YAML: <PyYAML's words>` (PyYAML has no Chinese, so its detail stays as it says it)."""
    return zh_en(f"YAML 格式错误:{detail}", f"invalid YAML: {detail}")


def _size_text(size: int) -> str:

    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size / 1024:g} KB"


def _walk(node: yaml.Node, pointer: str, lines: dict[str, int]) -> None:
    lines[pointer] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            child = f"{pointer}/{escape(key)}"
            _walk(value_node, child, lines)
            # A problem about the key itself (unknown property) points at the key's line.
            lines.setdefault(child + "#key", key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, f"{pointer}/{index}", lines)
