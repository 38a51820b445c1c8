"""What one SOP changes against another, in sentences a policy officer reads.

``sp4n sop diff national kalsel.yaml`` answers "what does our variant change?": budgets, states,
transitions and who may fire them, clocks and their rungs, routing, attributes and counting, one
change a line, in English or Indonesian. Names (states, triggers, clocks, roles) are shown as
written; numbers as durations ("3 working days -> 2 working days").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sp4n.calendars.duration import Duration
from sp4n.calendars.language import Lang, amount_text, check_lang, pick
from sp4n.states.diagram import rung_text
from sp4n.states.model import ClockDef, Sop, TransitionDef


def _dur(duration: Duration | None, lang: Lang) -> str:
    return amount_text(duration.value, duration.unit, lang) if duration is not None else "-"


def _names(items: Iterable[Any], key: str) -> dict[str, Any]:
    return {getattr(item, key): item for item in items}


def _list(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values) or "-"


def _added_removed(
    before: Mapping[str, Any], after: Mapping[str, Any], noun: tuple[str, str], lang: Lang
) -> tuple[list[str], list[str]]:
    added = [pick(lang, f"{noun[0]} baru: {name}", f"new {noun[1]}: {name}") for name in after if name not in before]
    removed = [
        pick(lang, f"{noun[0]} dihapus: {name}", f"{noun[1]} removed: {name}") for name in before if name not in after
    ]
    return added, removed


def _changed(what: str, old: Any, new: Any, lang: Lang) -> str:
    return pick(lang, f"{what}: {old} menjadi {new}", f"{what}: {old} -> {new}")


def _transitions(base: Sop, variant: Sop, lang: Lang) -> list[str]:
    def by_trigger(sop: Sop) -> dict[str, list[TransitionDef]]:
        found: dict[str, list[TransitionDef]] = {}
        for t in sop.transitions:
            found.setdefault(t.trigger, []).append(t)
        return found

    before, after = by_trigger(base), by_trigger(variant)
    added, removed = _added_removed(before, after, ("transisi", "transition"), lang)
    lines = added + removed
    for trigger in (t for t in before if t in after):
        old, new = before[trigger], after[trigger]
        fields: list[tuple[str, str, Callable[[TransitionDef], Any]]] = [
            ("siapa boleh", "who may fire it", lambda t: _list(t.roles)),
            ("dari", "from", lambda t: _list(t.source)),
            ("ke", "to", lambda t: t.dest),
            ("wajib", "requires", lambda t: _list(t.requires)),
        ]
        for label_id, label_en, get in fields:
            was, now = _list(get(t) for t in old), _list(get(t) for t in new)
            if was != now:
                lines.append(_changed(pick(lang, f"{trigger}, {label_id}", f"{trigger}, {label_en}"), was, now, lang))
    return lines


def _budget(clock: ClockDef, lang: Lang) -> str:
    if clock.budget_by is None:
        return _dur(clock.budget, lang)
    chosen = ", ".join(f"{key} {_dur(value, lang)}" for key, value in clock.budgets.items())
    otherwise = _dur(clock.budget, lang)
    fallback = pick(lang, f", selain itu {otherwise}", f", otherwise {otherwise}") if clock.budget else ""
    return pick(lang, f"menurut {clock.budget_by}: {chosen}{fallback}", f"by {clock.budget_by}: {chosen}{fallback}")


def _clock(old: ClockDef, new: ClockDef, lang: Lang) -> list[str]:
    name = old.name
    lines = []
    if _budget(old, lang) != _budget(new, lang):
        if old.budget_by == new.budget_by and old.budget_by is not None:
            for key in dict.fromkeys([*old.budgets, *new.budgets]):
                was, now = _dur(old.budgets.get(key), lang), _dur(new.budgets.get(key), lang)
                if was != now:
                    lines.append(
                        _changed(pick(lang, f"batas waktu {name} ({key})", f"{name} budget ({key})"), was, now, lang)
                    )
            if old.budget != new.budget:
                lines.append(
                    _changed(
                        pick(lang, f"batas waktu {name} (lainnya)", f"{name} budget (otherwise)"),
                        _dur(old.budget, lang),
                        _dur(new.budget, lang),
                        lang,
                    )
                )
        else:
            lines.append(
                _changed(
                    pick(lang, f"batas waktu {name}", f"{name} budget"), _budget(old, lang), _budget(new, lang), lang
                )
            )
    for label_id, label_en, was, now in (
        ("berjalan di", "runs in", _list(old.runs_in), _list(new.runs_in)),
        ("dijeda di", "pauses in", _list(old.pauses_in), _list(new.pauses_in)),
        ("perpanjangan hingga", "extension up to", _dur(old.extension_max, lang), _dur(new.extension_max, lang)),
    ):
        if str(was) != str(now):
            lines.append(_changed(pick(lang, f"{name}, {label_id}", f"{name}, {label_en}"), was, now, lang))
    before, after = _names(old.rungs, "name"), _names(new.rungs, "name")
    for rung in after:
        if rung not in before:
            lines.append(
                pick(lang, f"{name}, tahap baru {rung_text(after[rung])}", f"{name}, new rung {rung_text(after[rung])}")
            )
        elif before[rung] != after[rung]:
            lines.append(
                _changed(
                    pick(lang, f"{name}, tahap {rung}", f"{name}, rung {rung}"),
                    rung_text(before[rung]),
                    rung_text(after[rung]),
                    lang,
                )
            )
    lines.extend(
        pick(lang, f"{name}, tahap dihapus: {r}", f"{name}, rung removed: {r}") for r in before if r not in after
    )
    return lines


def sop_diff(base: Sop, variant: Sop, lang: Lang = "en") -> list[str]:
    """What ``variant`` changes against ``base``, one sentence a change (none when they agree)."""
    lang = check_lang(lang)
    lines: list[str] = []
    if base.title != variant.title:
        lines.append(_changed(pick(lang, "judul", "title"), base.title, variant.title, lang))
    states_before, states_after = _names(base.states, "id"), _names(variant.states, "id")
    added, removed = _added_removed(states_before, states_after, ("status", "state"), lang)
    lines += added + removed
    for state in (s for s in states_before if s in states_after):
        old, new = states_before[state], states_after[state]
        if (old.label_id, old.label_en, old.terminal) != (new.label_id, new.label_en, new.terminal):
            lines.append(
                _changed(
                    pick(lang, f"status {state}", f"state {state}"),
                    f"{old.label_id} / {old.label_en}",
                    f"{new.label_id} / {new.label_en}",
                    lang,
                )
            )
    lines += _transitions(base, variant, lang)
    clocks_before, clocks_after = _names(base.clocks, "name"), _names(variant.clocks, "name")
    added, removed = _added_removed(clocks_before, clocks_after, ("jam hitung", "clock"), lang)
    lines += [f"{line} ({_budget(clocks_after[line.rsplit(' ', 1)[-1]], lang)})" for line in added] + removed
    for name in (c for c in clocks_before if c in clocks_after):
        lines += _clock(clocks_before[name], clocks_after[name], lang)
    for field, label_id, label_en in (
        ("routing", "aturan penerusan", "routing rule"),
        ("attributes", "atribut", "attribute"),
    ):
        before, after = _names(getattr(base, field), "name"), _names(getattr(variant, field), "name")
        added, removed = _added_removed(before, after, (label_id, label_en), lang)
        lines += added + removed
        lines += [
            pick(lang, f"{label_id} diubah: {n}", f"{label_en} changed: {n}")
            for n in before
            if n in after and before[n] != after[n]
        ]
    for field in ("classifications", "categories"):
        for value in (v for v in getattr(variant, field) if v not in getattr(base, field)):
            lines.append(
                pick(
                    lang,
                    f"{field} baru: {value}",
                    f"new {field[:-3] + 'y' if field.endswith('ies') else field[:-1]}: {value}",
                )
            )
    if base.counting != variant.counting:
        for key, was in base.counting.model_dump(mode="json").items():
            now = variant.counting.model_dump(mode="json")[key]
            if was != now:
                lines.append(_changed(pick(lang, f"penghitungan, {key}", f"counting, {key}"), was, now, lang))
    if base.calendar.joint_leave != variant.calendar.joint_leave:
        lines.append(
            _changed(
                pick(lang, "cuti bersama libur", "joint leave is a day off"),
                base.calendar.joint_leave,
                variant.calendar.joint_leave,
                lang,
            )
        )
    return lines
