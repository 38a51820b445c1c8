"""``sp4n agencies validate | show | apply``: check, read and share an agency registry.

``validate`` prints every problem of a registry file at once, each with its line and column;
``show`` draws the tree with each agency's kind, zone, units and categories; ``apply`` stores a
registry in a database and makes it the active one of every process using that database.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sp4n.agencies.loader import SUFFIXES, load_agencies
from sp4n.agencies.model import AgencyRegistry
from sp4n.calendars.language import Lang, pick
from sp4n.errors import AgencyError

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXIT_ERROR = 2


def add_agencies_commands(subparsers: Subparsers) -> None:
    """Add the ``agencies`` group (``validate``, ``show``, ``apply``) to the ``sp4n`` command."""
    group = subparsers.add_parser("agencies", help="check, show and apply an agency registry")
    commands = group.add_subparsers(dest="command", metavar="COMMAND", required=True)
    file_help = f"an agency registry file ({', '.join(SUFFIXES)})"

    validate = commands.add_parser("validate", help="check registry files; print each one's size and version")
    validate.add_argument("files", nargs="+", metavar="FILE", help=file_help)
    validate.set_defaults(handler=agencies_validate)

    show = commands.add_parser("show", help="the tree of agencies with kinds, zones, units and categories")
    show.add_argument("file", metavar="FILE", help=file_help)
    show.add_argument("--lang", choices=("id", "en"), default="en", help="language of the output (default: en)")
    show.set_defaults(handler=agencies_show)

    apply = commands.add_parser("apply", help="make a registry the active one of every process using a database")
    apply.add_argument("file", metavar="FILE", help=file_help)
    apply.add_argument("--url", required=True, help="sqlite:///file.db or postgresql+psycopg://user@host/db")
    apply.set_defaults(handler=agencies_apply)


def agencies_validate(args: argparse.Namespace) -> int:
    """``OK <file> <n> agencies <version>`` for each good registry, every problem of each bad one."""
    failed = False
    for path in args.files:
        try:
            registry = load_agencies(path)
        except AgencyError as exc:
            failed = True
            for line in str(exc).splitlines():
                print(f"sp4n: error: {line}", file=sys.stderr)
        else:
            print(f"OK {path} {len(registry)} agencies {registry.version}")
    return EXIT_ERROR if failed else 0


def tree_lines(registry: AgencyRegistry, lang: Lang = "en") -> list[str]:
    """The registry as an indented tree, one agency a line, roots in registry order."""
    lines: list[str] = []

    def walk(agency_id: str, depth: int) -> None:
        agency = registry.get(agency_id)
        assert agency is not None
        name = pick(lang, agency.name_id, agency.name_en or agency.name_id)
        facts = [agency.kind.value, registry.zone_of(agency_id) or pick(lang, "zona bawaan", "default zone")]
        if agency.admin_for:
            facts.append(pick(lang, f"admin untuk {agency.admin_for}", f"admin for {agency.admin_for}"))
        lines.append(f"{'  ' * depth}{agency.id}: {name} [{', '.join(facts)}]")
        if agency.categories:
            lines.append(f"{'  ' * depth}    {pick(lang, 'kategori', 'categories')}: {', '.join(agency.categories)}")
        if agency.units:
            lines.append(f"{'  ' * depth}    {pick(lang, 'unit', 'units')}: {', '.join(agency.units)}")
        for key, value in sorted(agency.external_ids.items()):
            lines.append(f"{'  ' * depth}    {key}: {value}")
        for child in registry.children(agency_id):
            walk(child, depth + 1)

    for agency in registry:
        if agency.parent is None:
            walk(agency.id, 0)
    return lines


def agencies_show(args: argparse.Namespace) -> int:
    """Print the registry's tree."""
    registry = load_agencies(args.file)
    print(f"{len(registry)} agencies, version {registry.version}")
    for line in tree_lines(registry, args.lang):
        print(line)
    return 0


def agencies_apply(args: argparse.Namespace) -> int:
    """Store the registry and make it active; every process takes it up at its next refresh."""
    from sp4n.clock import SystemClock
    from sp4n.persistence.sql import open_store
    from sp4n.workflow.agencies import AgencyBook

    registry = load_agencies(args.file)
    store = open_store(args.url, upgrade=False)
    try:
        AgencyBook(store, registry, SystemClock().now)
    finally:
        store.close()
    print(f"agency registry {registry.version} ({len(registry)} agencies) is active in {_safe(args.url)}")
    return 0


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
