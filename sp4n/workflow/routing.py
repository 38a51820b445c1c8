"""Routing a new complaint: the first rule of its SOP that matches by category or by keyword,
else the agency of the registry that handles its category (body x category), else a named queue.

Keywords match whole words and phrases, not pieces of words: the keyword "rob" (tidal flood)
routes "banjir rob di pesisir" but not "Probolinggo" or "tas robek". Case and punctuation do
not matter ("COVID-19" matches the keyword "covid 19"), and a keyword of several words matches
them in that order, next to each other. Each SOP's rules are compiled once, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sp4n.agencies.model import AgencyKind, AgencyRegistry
from sp4n.states.model import RoutingRule, Sop

_NOT_WORD = re.compile(r"[\W_]+")


def words(text: str) -> str:
    """``text`` as lower-case words separated by single spaces, without punctuation."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


@dataclass(frozen=True)
class _CompiledRule:
    rule: RoutingRule
    categories: frozenset[str]
    keywords: re.Pattern[str] | None
    """One pattern for all the rule's keywords, anchored on word boundaries of the spaced text."""


def _compile(rule: RoutingRule) -> _CompiledRule:
    phrases = sorted({p for p in (words(k) for k in rule.keywords) if p}, key=len, reverse=True)
    pattern = None
    if phrases:
        alternatives = "|".join(re.escape(p) for p in phrases)
        pattern = re.compile(f" (?:{alternatives}) ")
    return _CompiledRule(rule, frozenset(rule.categories), pattern)


_CACHE: dict[tuple[str, str], tuple[_CompiledRule, ...]] = {}
_CACHE_LIMIT = 256
"""SOP versions kept compiled; a process knows a handful, so the limit only guards against leaks."""


def _rules(sop: Sop) -> tuple[_CompiledRule, ...]:
    compiled = _CACHE.get(sop.key)
    if compiled is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        compiled = _CACHE[sop.key] = tuple(_compile(rule) for rule in sop.routing)
    return compiled


def match_rule(sop: Sop, title: str, description: str, category: str | None) -> RoutingRule | None:
    """The first routing rule of ``sop`` whose categories hold ``category`` or one of whose
    keywords is a word or phrase of the title or description (None when no rule matches)."""
    rules = _rules(sop)
    if not rules:
        return None
    # two spaces between them: a phrase may not run from the end of the title into the description
    text = f" {words(title)}  {words(description)} "
    for compiled in rules:
        if category is not None and category in compiled.categories:
            return compiled.rule
        if compiled.keywords is not None and compiled.keywords.search(text):
            return compiled.rule
    return None


@dataclass(frozen=True)
class RegistryRoute:
    """Where the registry sends a report no SOP rule matched: an agency that handles its
    category, or none, and then the queue it waits in (recorded in the first event)."""

    agency: str | None
    payload: dict[str, str]


def route_by_registry(registry: AgencyRegistry, filed_with: str | None, category: str | None) -> RegistryRoute | None:
    """The agency in the tree of ``filed_with`` (of the national bodies, ministries and
    lembaga, when None) that handles ``category``; else the queue of the coordinating agency it
    was filed with, or the national queue. None without a registry."""
    if not len(registry):
        return None
    national = (AgencyKind.KEMENTERIAN, AgencyKind.LEMBAGA)
    roots = [filed_with] if filed_with is not None else [a.id for a in registry if a.kind in national]
    if category is not None:
        for root in roots:
            handler = registry.handler(category, root)
            if handler is not None and handler != filed_with:
                return RegistryRoute(handler, {"routed_by": f"category {category} at {handler}"})
    queue = (registry.coordinator(filed_with) if filed_with is not None else None) or "national"
    return RegistryRoute(None, {"queue": queue})
