"""YAML loading that remembers line numbers, so problems are reported as ``file:line``."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import PolicyScanError
from .fsio import not_regular


class LineDict(dict):
    line: int = 0
    key_lines: dict


class LineList(list):
    line: int = 0
    item_lines: list


_constructor = yaml.constructor.SafeConstructor()


def _convert(node: yaml.Node):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _convert(key_node)
            if isinstance(key, (dict, list)):
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            out[key] = _convert(value_node)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = LineList(_convert(item) for item in node.value)
        out.line, out.item_lines = line, [item.start_mark.line + 1 for item in node.value]
        return out
    return _constructor.construct_object(node)


def load_yaml(path: str | Path, error: type[PolicyScanError]):
    """Parse one YAML file; syntax errors become ``error(path, problem, line)``."""
    problem = not_regular(path)
    if problem:
        raise error(str(path), problem)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise error(str(path), "not UTF-8 text") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # Aliases are refused: a few lines of nested aliases expand to billions of items
        # ("billion laughs") and an alias inside its own anchor is a cycle.  No settings or
        # rule file needs them.
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent):
                raise error(
                    str(path),
                    f"YAML aliases are not allowed (*{event.anchor}): write the value out",
                    event.start_mark.line + 1,
                )
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise error(str(path), f"invalid YAML: {exc.problem or exc.context}", line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(0, exc.position)) + 1
        if isinstance(exc.character, int):
            problem = f"invalid YAML: character #x{exc.character:04x} is not allowed ({exc.reason})"
        else:
            problem = f"invalid YAML: {exc.reason}"
        raise error(str(path), problem, line) from None
    except yaml.YAMLError as exc:
        raise error(str(path), f"invalid YAML: {exc}") from None
    if node is None:
        return None
    try:
        return _convert(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise error(str(path), f"invalid YAML: {exc.problem}", mark.line + 1 if mark else None) from None
