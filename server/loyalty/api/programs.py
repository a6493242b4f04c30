"""Frequent-buyer programs."""
from flask import g, request

from ..domain.programs import create_program, program_dict, update_program
from ..errors import NotFound
from ..models import Program, ProgramCode
from ..schemas import ProgramSchema
from . import auth, body, bp


@bp.post("/programs")
@auth("manager")
def programs_create():
    program = create_program(body(ProgramSchema), g.actor)
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
        raise NotFound(f"no program {program_id}")
    return program_dict(program)


@bp.patch("/programs/<id:program_id>")
@auth("manager")
def programs_update(program_id):
    program = update_program(program_id, body(ProgramSchema, partial=True), g.actor)
    return program_dict(program)
