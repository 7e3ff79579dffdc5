"""Safe YAML loading that keeps line numbers, so every problem can name its line.

Dates stay strings (no implicit timestamp resolution) and no tag can build a Python object.
"""

from __future__ import annotations

from typing import Any

import yaml

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: ~10x faster


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader without the timestamp resolver: `2018-05-28` stays the string it was written as."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


MAX_NODES = 100_000  # far beyond any record; a guard against alias bombs


class YamlProblem(Exception):
    """A YAML document that cannot be read; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def load(text: str) -> tuple[Any, dict[str, int]]:
    """Parse one YAML document; return (data, lines) where lines maps 'a.0.b' paths to line numbers."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        msg = (e.problem or str(e)).strip()
        if "could not determine a constructor" in msg or (e.problem and "tag" in e.problem):
            msg = f"{msg.rstrip('.')}: tags that build objects are not allowed"
        raise YamlProblem(line, f"YAML error: {msg}") from None
    except yaml.YAMLError as e:
        raise YamlProblem(1, f"YAML error: {e}") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _walk(node, "", lines, ())
    return data, lines


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int], ancestors: tuple[int, ...]) -> None:
    if id(node) in ancestors:
        raise YamlProblem(
            node.start_mark.line + 1, "YAML error: an alias refers to a node that contains it (a recursive anchor)"
        )
    ancestors = (*ancestors, id(node))
    if len(lines) > MAX_NODES:  # aliases nested in aliases expand exponentially ("billion laughs")
        raise YamlProblem(
            node.start_mark.line + 1, f"YAML error: more than {MAX_NODES} values once aliases are expanded"
        )
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            if k.value in seen:
                raise YamlProblem(k.start_mark.line + 1, f"YAML error: duplicate key {k.value!r}")
            seen.add(k.value)
            key = f"{prefix}.{k.value}" if prefix else str(k.value)
            lines[key] = k.start_mark.line + 1
            _walk(v, key, lines, ancestors)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _walk(v, f"{prefix}.{i}" if prefix else str(i), lines, ancestors)


def line_of(lines: dict[str, int], path: str) -> int:
    """The line of `path`, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path.rpartition(".")[0]
    return lines.get("", 1)
