"""Frequent-buyer programs."""
from flask import g, request
from flask_babel import gettext as _

from ..domain.programs import create_program, program_dict, update_program
from ..errors import NotFound, ValidationFailed
from ..models import Program, ProgramCode
from ..programs.points_rules import PointsProgramSchema
from ..schemas import ProgramSchema
from . import auth, body, bp


def _schema_for(kind):
    """Each kind of program has its own body: punch (the default) or points."""
    if kind in (None, "punch"):
        return ProgramSchema
    if kind == "points":
        return PointsProgramSchema
    raise ValidationFailed(_("unknown program kind %(kind)r", kind=kind),
                           fields={"kind": [_("one of %(kinds)s", kinds="punch, points")]})


def _requested_kind():
    data = request.get_json(force=True, silent=True)
    return data.get("kind") if isinstance(data, dict) else None


@bp.post("/programs")
@auth("manager")
def programs_create():
    """Create a program: a punch card (the body below), or with "kind": "points" a points program (body:
    components/schemas/PointsProgram: earn_rules, rewards, expiry_days, exclusions)."""
    program = create_program(body(_schema_for(_requested_kind())), g.actor)
    return program_dict(program), 201


@bp.get("/programs")
@auth("cashier")
def programs_list():
    status = request.args.get("status")
    query = Program.select().order_by(Program.name)
    if status in ("active", "archived"):
        query = query.where(Program.status == status)
    programs = list(query)
    codes = {}
    for code in ProgramCode.select().where(ProgramCode.program.in_([p.id for p in programs] or [0])):
        codes.setdefault(code.program_id, []).append(code)
    return {"programs": [program_dict(p, codes.get(p.id, [])) for p in programs]}


@bp.get("/programs/<id:program_id>")
@auth("cashier")
def programs_get(program_id):
    program = Program.get_or_none(Program.id == program_id)
    if program is None:
        raise NotFound(_("no program %(id)s", id=program_id))
    return program_dict(program)


@bp.patch("/programs/<id:program_id>")
@auth("manager")
def programs_update(program_id):
    program = Program.get_or_none(Program.id == program_id)
    if program is None:
        raise NotFound(_("no program %(id)s", id=program_id))
    program = update_program(program_id, body(_schema_for(program.kind), partial=True), g.actor)
    return program_dict(program)
