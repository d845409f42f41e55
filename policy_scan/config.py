"""Project settings: a ``policy-scan.yaml`` that sets command-line defaults.

An auditor fixes OCR, limits and sensitivity once for a corpus instead of on every call::

    ocr: auto            # top-level keys apply to every command that has the option
    timeout: 120
    max-memory: 2048
    scan:                # a command's own table overrides them for that command
      sensitivity: 0.3
      lang-ui: auto

Keys are the long option names (``max-memory`` or ``max_memory``).  The file is found in
the current folder or the nearest parent, or given with ``policy-scan --config FILE``;
options given on the command line win.  Unknown keys and bad values are reported as
``file:line: problem``, like rule files.
"""

from __future__ import annotations

from pathlib import Path

import click

from .errors import PolicyScanError
from .yamlio import LineDict, load_yaml

CONFIG_NAMES = ("policy-scan.yaml", ".policy-scan.yaml")


class ConfigError(PolicyScanError):
    """A settings file that is malformed."""


def find_config(start: Path | None = None) -> Path | None:
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file():
                return path
    return None


def _options_by_key(command: click.Command) -> dict[str, click.Option]:
    out: dict[str, click.Option] = {}
    for param in command.params:
        if not isinstance(param, click.Option) or param.name in ("help", "version"):
            continue
        for opt in param.opts:
            if opt.startswith("--"):
                out[opt[2:]] = param
                out[opt[2:].replace("-", "_")] = param
    return out


def _convert(path: str, line: int, key: str, value, param: click.Option, command: click.Command):
    ctx = click.Context(command)
    if isinstance(value, bool) and isinstance(param.type, click.Choice):
        value = "on" if value else "off"  # YAML reads a bare off/no as false
    try:
        if param.multiple and isinstance(value, list):
            return [param.type.convert(v, param, ctx) for v in value]
        return param.type.convert(value, param, ctx)
    except click.BadParameter as exc:
        raise ConfigError(path, f"'{key}': {exc.message}", line) from None


def load_config(path: str | Path, group: click.Group) -> dict[str, dict]:
    """The settings file as click's ``default_map``: {command: {param name: value}}."""
    where = str(path)
    data = load_yaml(path, ConfigError)
    if data is None:
        return {}
    if not isinstance(data, LineDict):
        raise ConfigError(where, "settings must be a mapping of option names to values", 1)
    commands = {name: cmd for name, cmd in group.commands.items() if not isinstance(cmd, click.Group)}
    options = {name: _options_by_key(cmd) for name, cmd in commands.items()}
    defaults: dict[str, dict] = {name: {} for name in commands}
    shared, specific = {}, {}
    for key, value in data.items():
        line = data.key_lines.get(key, data.line)
        if key in commands:
            if not isinstance(value, LineDict):
                raise ConfigError(where, f"'{key}' must be a mapping of its options", line)
            for sub_key, sub_value in value.items():
                sub_line = value.key_lines.get(sub_key, value.line)
                param = options[key].get(str(sub_key))
                if param is None:
                    raise ConfigError(where, f"unknown setting '{sub_key}' for '{key}'", sub_line)
                specific.setdefault(key, {})[param.name] = _convert(
                    where, sub_line, sub_key, sub_value, param, commands[key]
                )
            continue
        users = [name for name in commands if str(key) in options[name]]
        if not users:
            raise ConfigError(where, f"unknown setting '{key}'", line)
        for name in users:
            param = options[name][str(key)]
            shared.setdefault(name, {})[param.name] = _convert(where, line, key, value, param, commands[name])
    for name in commands:
        defaults[name].update(shared.get(name, {}))
        defaults[name].update(specific.get(name, {}))
    return {name: values for name, values in defaults.items() if values}
