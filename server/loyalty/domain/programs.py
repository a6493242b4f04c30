"""Programs and which products qualify for them."""
from __future__ import annotations

from flask_babel import gettext as _

from .. import fastsql
from ..audit import record
from ..errors import NotFound
from ..models import Program, ProgramCode, utcnow
from ..db import write_transaction

REWARD_RULES = ("lesser_or_equal", "most_frequent")
REQUIRABLE_FIELDS = ("address", "email", "phone")


def qualifying_programs(lines) -> dict:
    """{line index: [Program, ...]} for the active programs each line's UPC or SKU belongs to. During a preview or
    commit the codes already met are answered from this process's copy of the catalog (programs/catalog.py);
    the others are read in one query."""
    from ..programs.catalog import MAX_CODES, shared_dict

    wanted = {("upc", line["upc"]) for line in lines if line.get("upc")}
    wanted |= {("sku", line["sku"]) for line in lines if line.get("sku")}
    if not wanted:
        return {}
    codes, programs = shared_dict("codes"), shared_dict("programs")
    if codes is None:
        codes, programs = {}, {}
    found = {key: codes[key] for key in wanted if key in codes}
    missing = wanted - set(found)
    if missing:
        if len(codes) > MAX_CODES:
            codes.clear()
        read = _read_codes(missing, programs)
        for key in missing:
            codes[key] = found[key] = read.get(key, ())
    out = {}
    for i, line in enumerate(lines):
        ids = set(found.get(("upc", line.get("upc")), ())) | set(found.get(("sku", line.get("sku")), ()))
        if ids:
            out[i] = [programs[pid] for pid in sorted(ids)]
    return out


def _read_codes(keys, programs: dict) -> dict:
    """{(kind, code): (program id, ...)} of the active programs for ``keys``; their Programs added to ``programs``."""
    upcs = sorted(code for kind, code in keys if kind == "upc")
    skus = sorted(code for kind, code in keys if kind == "sku")
    cols = fastsql.columns(Program, qualified=True)
    n = len(Program._meta.sorted_fields)
    by_code: dict = {}
    for row in fastsql.rows(
            f'SELECT {cols}, "program_code"."kind", "program_code"."code" FROM "program_code" JOIN "program" ON '
            '"program"."id" = "program_code"."program_id" WHERE "program"."status" = ? AND (("program_code"."kind" '
            f'= ? AND "program_code"."code" IN {fastsql.in_list(len(upcs))}) OR ("program_code"."kind" = ? AND '
            f'"program_code"."code" IN {fastsql.in_list(len(skus))}))', ["active", "upc", *upcs, "sku", *skus]):
        pid = row[0]
        if pid not in programs:
            programs[pid] = fastsql.hydrate(Program, row[:n])
        by_code.setdefault((row[n], row[n + 1]), []).append(pid)
    return {key: tuple(sorted(set(pids))) for key, pids in by_code.items()}


def program_dict(program: Program, codes=None) -> dict:
    if program.kind == "points":
        from ..programs.points_settings import points_program_dict

        return points_program_dict(program)
    if codes is None:
        codes = list(program.codes)
    return {
        "id": program.id,
        "kind": program.kind or "punch",
        "name": program.name,
        "manufacturer": program.manufacturer,
        "distributor": program.distributor,
        "buy_quantity": program.buy_quantity,
        "reward_rule": program.reward_rule,
        "window_days": program.window_days,
        "requires": program.requires or [],
        "multi_purchase_threshold": program.multi_purchase_threshold,
        "status": program.status,
        "upcs": sorted(c.code for c in codes if c.kind == "upc"),
        "skus": sorted(c.code for c in codes if c.kind == "sku"),
    }


def _set_codes(program: Program, upcs, skus):
    ProgramCode.delete().where(ProgramCode.program == program.id).execute()
    rows = [{"program": program.id, "kind": "upc", "code": c} for c in sorted(set(upcs or []))]
    rows += [{"program": program.id, "kind": "sku", "code": c} for c in sorted(set(skus or []))]
    for start in range(0, len(rows), 500):
        ProgramCode.insert_many(rows[start:start + 500]).execute()


PROGRAM_FIELDS = ("name", "manufacturer", "distributor", "buy_quantity", "reward_rule", "window_days", "requires",
                  "multi_purchase_threshold", "status")


def create_program(data: dict, actor: str) -> Program:
    with write_transaction():
        if data.get("kind") == "points":
            from ..programs.points_settings import create_points_program

            return create_points_program(data, actor)
        program = Program.create(**{k: data[k] for k in PROGRAM_FIELDS if k in data})
        _set_codes(program, data.get("upcs"), data.get("skus"))
        record(actor, "program.create", "program", program.id, **program_dict(program))
    return program


def update_program(program_id: int, data: dict, actor: str) -> Program:
    with write_transaction():
        program = Program.get_or_none(Program.id == program_id)
        if program is None:
            raise NotFound(_("no program %(id)s", id=program_id))
        if program.kind == "points":
            from ..programs.points_settings import update_points_program

            return update_points_program(program, data, actor)
        before = program_dict(program)
        for key in PROGRAM_FIELDS:
            if key in data:
                setattr(program, key, data[key])
        program.updated_at = utcnow()
        program.save()
        if "upcs" in data or "skus" in data:
            _set_codes(program, data.get("upcs", before["upcs"]), data.get("skus", before["skus"]))
        after = program_dict(program)
        record(actor, "program.update", "program", program.id,
               changed={k: [before[k], after[k]] for k in after if before.get(k) != after[k]})
    return program
