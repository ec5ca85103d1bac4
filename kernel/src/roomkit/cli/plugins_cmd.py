"""``roomkit plugins list`` and ``roomkit plugins show NAME``.

Listing imports plugin modules only, never a component module or vendor SDK. ``show`` also
imports each component's config model to print its fields as a table (name, type, default,
description); ``show --json`` gives the JSON schema instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from roomkit.cli.common import load_catalogue
from roomkit.cli.config_fields import config_fields
from roomkit.cli.output import print_json, render_table, terminal_width
from roomkit.cli.scaffold import PluginSpec, render_plugin, supported_kinds
from roomkit.errors import PluginError
from roomkit.plugins.catalogue import Catalogue
from roomkit.plugins.factory import load_config_model
from roomkit.plugins.manager import PluginRecord

__all__ = ["add_parser", "run_list", "run_new", "run_show"]


def add_parser(commands: Any) -> None:
    """Add the ``plugins`` command group."""
    plugins = commands.add_parser("plugins", help="list and inspect installed plugins")
    sub = plugins.add_subparsers(dest="plugins_command", metavar="SUBCOMMAND", required=True)

    listing = sub.add_parser("list", help="every plugin found, with its status")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    listing.set_defaults(handler=run_list)

    show = sub.add_parser("show", help="components, config fields and capabilities of a plugin")
    show.add_argument("name", help="the plugin name (as in `roomkit plugins list`)")
    show.add_argument("--json", action="store_true", help="print JSON (with config JSON schemas)")
    show.set_defaults(handler=run_show)

    new = sub.add_parser(
        "new", help="write a new plugin distribution (tests and conformance included)"
    )
    new.add_argument("name", help="plugin name, e.g. 'acme' (distribution roomkit-acme)")
    new.add_argument(
        "--kind",
        default="channel",
        help="component kind: " + ", ".join(supported_kinds()) + " (default: channel)",
    )
    new.add_argument(
        "--dir", type=Path, default=None, help="where to write it (default: ./roomkit-NAME)"
    )
    new.add_argument("--author", default=None, help="copyright holder in LICENSE and pyproject")
    new.add_argument("--url", default=None, help="the plugin's repository URL")
    new.set_defaults(handler=run_new)


def _row(record: PluginRecord) -> list[str]:
    data = record.to_dict()
    return [
        record.name,
        data["distribution"] or "-",
        data["version"] or "-",
        data["kernel_api"] or "-",
        ", ".join(data["components"]) or "-",
        record.status,
        record.error or "",
    ]


def run_list(args: argparse.Namespace) -> int:
    """Print the plugin table (or JSON). Exit 0; problems are shown, not fatal (see doctor)."""
    catalogue = load_catalogue(args)
    if args.json:
        print_json({"plugins": [record.to_dict() for record in catalogue.plugins]})
        return 0
    if not catalogue.plugins:
        print("no plugins found")
        return 0
    headers = ["NAME", "DISTRIBUTION", "VERSION", "API", "COMPONENTS", "STATUS", "ERROR"]
    print(render_table(headers, [_row(record) for record in catalogue.plugins]))
    return 0


def _component_details(catalogue: Catalogue, record: PluginRecord) -> list[dict[str, Any]]:
    details = []
    for descriptor in record.components:
        schema: dict[str, Any] | None = None
        fields: list[dict[str, str]] | None = None
        schema_error: str | None = None
        try:
            model = load_config_model(descriptor)
            if model is not None:
                schema = model.model_json_schema()
                fields = [field.to_dict() for field in config_fields(model)]
        except PluginError as exc:
            schema_error = str(exc)
        details.append(
            {
                "kind": descriptor.kind,
                "name": descriptor.name,
                "factory": descriptor.factory,
                "description": descriptor.description,
                "capabilities": sorted(descriptor.capabilities),
                "exports": list(descriptor.exports),
                "conformance": descriptor.conformance,
                "conformance_exempt": descriptor.conformance_exempt,
                "config_model": descriptor.config_model,
                "config_schema": schema,
                "config_fields": fields,
                "config_error": schema_error,
            }
        )
    return details


def run_show(args: argparse.Namespace) -> int:
    """Print one plugin in detail; exit 1 if it is not installed or not healthy."""
    catalogue = load_catalogue(args)
    record = catalogue.plugin(args.name)
    data = record.to_dict()
    data["description"] = record.info.description if record.info else ""
    data["components"] = _component_details(catalogue, record)
    if args.json:
        print_json(data)
        return 0 if record.ok else 1
    print(f"{record.name} {data['version'] or ''}".rstrip())
    print(f"  distribution: {data['distribution'] or '-'}")
    print(f"  module:       {record.module}")
    print(f"  kernel API:   {data['kernel_api'] or '-'}")
    print(f"  status:       {record.status}")
    if record.error:
        print(f"  error:        {record.error}")
    if data["description"]:
        print(f"  description:  {data['description']}")
    for component in data["components"]:
        print(f"\n  {component['kind']} {component['name']!r}")
        print(f"    factory:      {component['factory']}")
        if component["description"]:
            print(f"    description:  {component['description']}")
        print(f"    capabilities: {', '.join(component['capabilities']) or '-'}")
        print(f"    exports:      {', '.join(component['exports']) or '-'}")
        exempt = component["conformance_exempt"]
        print(f"    conformance:  {component['conformance'] or f'exempt: {exempt}'}")
        if component["config_error"]:
            print(f"    config:       error: {component['config_error']}")
        elif component["config_schema"] is None:
            print("    config:       keyword arguments of the factory (no model)")
        elif not component["config_fields"]:
            print("    config:       none (no options)")
        else:
            print("    config:")
            rows = [
                [f["name"], f["type"], f["default"], f["description"]]
                for f in component["config_fields"]
            ]
            table = render_table(
                ["FIELD", "TYPE", "DEFAULT", "DESCRIPTION"], rows, width=terminal_width() - 6
            )
            for line in table.splitlines():
                print(f"      {line}")
    return 0 if record.ok else 1


def run_new(args: argparse.Namespace) -> int:
    """Write the plugin and say what to run next."""
    spec = PluginSpec(name=args.name, kind=args.kind, author=args.author, url=args.url)
    target = args.dir if args.dir is not None else Path(spec.distribution)
    written = render_plugin(spec, target)
    print(f"wrote {len(written)} files to {target}/: {spec.kind} {spec.name!r}, ", end="")
    print(f"distribution {spec.distribution}, package {spec.package}")
    print("next:")
    print(f'  pip install "./{target.as_posix()}[test]"')
    print(f"  (cd {target.as_posix()} && pytest)")
    print(f"  roomkit conformance {spec.name}")
    return 0
