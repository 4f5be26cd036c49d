"""The export and deletion registry: every module adds its personal data here.

A module registers one source per kind of data it keeps about an account, with an
`export(account)` that returns JSON-ready data and an `erase(account)` that removes
or anonymises it. A system check (identity.E001) fails when a model that points at
the account is not covered by any source, so no module can forget it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class PersonalDataSource:
    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None] | None
    covers: tuple[type[Model] | str, ...] = field(default_factory=tuple)
    # Sources erase in ascending order; deletion of the account row comes last.
    order: int = 100


_sources: dict[str, PersonalDataSource] = {}


def register(
    name: str,
    *,
    export: Callable[[Any], Any],
    erase: Callable[[Any], None] | None = None,
    models: Iterable[type[Model] | str] = (),
    order: int = 100,
) -> None:
    """Register what a module keeps about an account.

    erase=None means the rows are removed by the account's own deletion (a
    cascading foreign key) and nothing has to be anonymised first.
    """
    if name in _sources:
        raise ValueError(f"personal data source {name!r} is registered twice")
    _sources[name] = PersonalDataSource(name, export, erase, tuple(models), order)


def sources() -> list[PersonalDataSource]:
    return sorted(_sources.values(), key=lambda source: (source.order, source.name))


def covered_models() -> set[str]:
    from django.apps import apps

    labels = set()
    for source in _sources.values():
        for model in source.covers:
            if isinstance(model, str):
                model = apps.get_model(model)
            labels.add(model._meta.label_lower)
    return labels
