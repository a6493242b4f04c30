"""Creating and editing a points program: its settings (rules, exclusions, expiry) and its rewards."""
from __future__ import annotations

from ..audit import record
from ..models import Program, utcnow
from .points_models import PointsReward
from .points_rules import settings_of

REWARD_FIELDS = ("name", "cost", "kind", "value", "upcs", "skus", "max_value")


def points_program_dict(program: Program) -> dict:
    from .points import reward_dict

    settings = program.settings or {}
    rewards = PointsReward.select().where((PointsReward.program == program.id) & PointsReward.active) \
        .order_by(PointsReward.cost, PointsReward.id)
    return {
        "id": program.id, "kind": "points", "name": program.name, "status": program.status,
        "expiry_days": settings.get("expiry_days"),
        "exclude_upcs": settings.get("exclude_upcs", []), "exclude_skus": settings.get("exclude_skus", []),
        "earn_rules": settings.get("earn_rules", []),
        "rewards": [reward_dict(r) for r in rewards],
    }


def _set_rewards(program: Program, rewards: list):
    """Rewards listed with an ``id`` are updated, without one created; those left out are archived."""
    existing = {r.id: r for r in PointsReward.select().where(PointsReward.program == program.id)}
    keep = set()
    for data in rewards:
        values = {k: data.get(k) for k in REWARD_FIELDS}
        values["upcs"], values["skus"] = values["upcs"] or [], values["skus"] or []
        row = existing.get(data.get("id")) if data.get("id") else None
        if row is None:
            row = PointsReward.create(program=program.id, **values)
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.active = True
            row.save()
        keep.add(row.id)
    for rid, row in existing.items():
        if rid not in keep and row.active:
            row.active = False
            row.save()


def create_points_program(data: dict, actor: str) -> Program:
    program = Program.create(kind="points", name=data["name"], status=data.get("status", "active"),
                             buy_quantity=0, settings=settings_of(data))
    _set_rewards(program, data.get("rewards", []))
    record(actor, "program.create", "program", program.id, **points_program_dict(program))
    return program


def update_points_program(program: Program, data: dict, actor: str) -> Program:
    before = points_program_dict(program)
    merged = {**before, **data}
    for key in ("name", "status"):
        if key in data:
            setattr(program, key, data[key])
    if any(k in data for k in ("expiry_days", "exclude_upcs", "exclude_skus", "earn_rules")):
        program.settings = settings_of({k: merged.get(k) or ([] if k != "expiry_days" else None)
                                        for k in ("expiry_days", "exclude_upcs", "exclude_skus")}
                                       | {"earn_rules": data.get("earn_rules") if "earn_rules" in data
                                          else _loaded_rules(before["earn_rules"])})
    program.updated_at = utcnow()
    program.save()
    if "rewards" in data:
        _set_rewards(program, data["rewards"])
    after = points_program_dict(program)
    record(actor, "program.update", "program", program.id,
           changed={k: [before[k], after[k]] for k in after if before.get(k) != after[k]})
    return program


def _loaded_rules(rules: list) -> list:
    """Stored rules back in the shape settings_of takes (dates and decimals as loaded)."""
    from .points_rules import EarnRuleSchema

    return [EarnRuleSchema().load(r) for r in rules]
