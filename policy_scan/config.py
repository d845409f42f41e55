"""Project settings: a ``policy-scan.yaml`` that sets command-line defaults.

An auditor fixes OCR, limits and sensitivity once for a corpus instead of on every call::

    ocr: auto            # top-level keys apply to every command that has the option
    timeout: 120
    max-memory: 2048
    scan:                # a command's own table overrides them for that command
      sensitivity: 0.3
      lang-ui: auto

Keys are the long option names (``max-memory`` or ``max_memory``); a top-level key applies
to each command that has the option and accepts its value.  The file is read from
the current folder only (never from a parent: a settings file may name a model, and a
folder above the working one is not the user's to trust), or given with
``policy-scan --config FILE``; options given on the command line win.  Unknown keys and bad values are reported as
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
    """The settings file in the working folder (`start`), if any; parents are not searched."""
    folder = start or Path.cwd()
    for name in CONFIG_NAMES:
        path = folder / name
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
    if value is None:
        raise ConfigError(path, f"'{key}' needs a value", line)
    if isinstance(value, dict):
        raise ConfigError(path, f"'{key}' takes a value, not a mapping", line)
    if isinstance(value, list) and not param.multiple:
        raise ConfigError(path, f"'{key}' takes one value, not a list", line)
    if isinstance(value, bool) and isinstance(param.type, click.Choice):
        # YAML reads bare yes/no/on/off as booleans.
        choices = [str(c) for c in param.type.choices]
        wanted = ("off", "no", "false") if not value else ("on", "yes", "true", "auto")
        value = next((c for c in wanted if c in choices), None)
        if value is None:
            raise ConfigError(path, f"'{key}': give one of {', '.join(choices)} (YAML read a yes/no)", line)
    try:
        if param.multiple:
            values = value if isinstance(value, list) else [value]  # `select: T2` means one item
            return [param.type.convert(v, param, ctx) for v in values]
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
        # A shared key applies where its value is valid (`format: html` suits scan, not
        # extract); it is an error only if no command accepts it.
        problem = None
        for name in users:
            param = options[name][str(key)]
            try:
                shared.setdefault(name, {})[param.name] = _convert(where, line, key, value, param, commands[name])
            except ConfigError as exc:
                problem = problem or exc
        if problem is not None and not any(options[n][str(key)].name in shared.get(n, {}) for n in users):
            raise problem
    for name in commands:
        defaults[name].update(shared.get(name, {}))
        defaults[name].update(specific.get(name, {}))
    return {name: values for name, values in defaults.items() if values}
