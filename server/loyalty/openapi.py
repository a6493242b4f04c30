"""OpenAPI for /api/v1, generated from the routes and the marshmallow schemas (docs/openapi.json)."""
from __future__ import annotations

import json
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import schemas
from .bounds import MAX_ID, IdConverter

# Which schema each route loads its body with; the spec names it so clients see the exact fields.
REQUEST_BODIES = {
    "api.customers_resolve": schemas.ResolveSchema,
    "api.accounts_create": schemas.AccountCreateSchema,
    "api.accounts_update": schemas.AccountUpdateSchema,
    "api.links_put": schemas.LinkSchema,
    "api.links_delete": schemas.UnlinkSchema,
    "api.programs_create": schemas.ProgramSchema,
    "api.programs_update": schemas.ProgramSchema,
    "api.sales_preview": schemas.PreviewSchema,
    "api.sales_commit": schemas.CommitSchema,
    "api.cards_redeem": schemas.RedeemSchema,
    "api.cards_reward_for_sale": schemas.RewardQuerySchema,
    "api.member_cards_assign": schemas.MemberCardAssignSchema,
    "api.member_cards_revoke": schemas.MemberCardRevokeSchema,
    "api.points_redeem": schemas.PointsRedeemSchema,
    "api.points_adjust": schemas.PointsAdjustSchema,
}
ERRORS = {
    "400": "Malformed JSON (not JSON, not an object, nested too deep) or a NUL character in the address",
    "401": "Missing or invalid token", "403": "Role too low, or a field this role may not change (error.fields)",
    "404": "Unknown id", "409": "Conflict (already_linked, reason_required, customer_not_linked, "
    "no_reward_available, insufficient_points, program_archived, sale_committed, card_assigned, card_revoked, "
    "card_unassigned, account_has_card)", "413": "Body over 1 MB", "422": "Invalid fields, each named in error.fields",
    "503": "The database is busy or restarting (code busy, Retry-After): try again",
}
# What the routes answer besides the errors above: creations are 201; a register's manager PIN can be locked out.
SUCCESS = {"api.accounts_create": ("201",), "api.programs_create": ("201",), "api.cards_redeem": ("201",),
           "api.points_redeem": ("200", "201")}  # 200: the same Idempotency-Key again
EXTRA_ERRORS = {"api.links_delete": {"429": "Too many wrong manager PINs from this token (rate_limited)"}}
# Path parameters, typed as the routes take them (an id out of range is a 404, an unknown system a 422).
PATH_PARAMETERS = {
    "system": {"type": "string", "enum": list(schemas.POS_SYSTEMS)},
    "customer_id": {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^(?!\\.\\.?$)[^\\x00/]+$"},
}


def _page_param(name: str, description: str, top: int) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": top}}


QUERY_PARAMETERS = {
    "api.accounts_search": [{"name": "q", "in": "query", "required": False, "description":
                             "name words, a phone, an email or a POS customer id (200 characters at most)",
                             "schema": {"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"}}],
    "api.accounts_get": [{"name": "history", "in": "query", "required": False, "description":
                          "any value: also every card the account ever had", "schema": {"type": "string",
                                                                                          "pattern": "^[^\\x00]*$"}}],
    "api.accounts_cards": [_page_param("limit", "cards per page", 200),
                           _page_param("before", "the previous page's next_before", MAX_ID)],
    "api.accounts_history": [_page_param("limit", "rows of each list (default 500, audit 200)", 500)]
    + [_page_param(f"{name}_before", f"the previous page's next.{name}", MAX_ID)
       for name in ("punches", "points", "redemptions", "audit")],
}


def _path_schema(rule, name: str) -> dict:
    if isinstance(rule._converters.get(name), IdConverter):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    return PATH_PARAMETERS.get(name, {"type": "string"})


def build_spec(app) -> dict:
    spec = APISpec(title="Loyalty Bridge API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Punch cards and loyalty accounts for a web POS. Every error is "
                                        "{\"error\": {\"code\", \"message\", \"fields\"}}."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=schemas.ErrorEnvelope)
    from .programs.points_rules import PointsProgramSchema

    spec.components.schema("PointsProgram", schema=PointsProgramSchema)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        operations = {}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            doc = (view.__doc__ or rule.endpoint.split(".")[1].replace("_", " ")).strip()
            op = {"summary": doc.splitlines()[0], "description": doc,
                  "responses": {ok: {"description": "Created" if ok == "201" else "OK"}
                                for ok in SUCCESS.get(rule.endpoint, ("200",))}}
            role = getattr(view, "required_role", None)
            if role:
                op["security"] = [{"bearer": []}]
                op["description"] += f"\n\nRole: {role} or higher."
            schema = REQUEST_BODIES.get(rule.endpoint)
            if schema is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
            for code, text in {**ERRORS, **EXTRA_ERRORS.get(rule.endpoint, {})}.items():
                if role or code in ("400", "404", "422"):
                    op["responses"][code] = {"description": text, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            operations[method.lower()] = op
        params = [{"name": name, "in": "path", "required": True, "schema": _path_schema(rule, name)}
                  for name in re.findall(r"{([a-z_]+)}", path)]
        for op in operations.values():
            op_params = params + QUERY_PARAMETERS.get(rule.endpoint, [])
            if op_params:
                op["parameters"] = op_params
        spec.path(path=path, operations=operations)
    # Validators carry Decimal bounds; JSON numbers are what clients read.
    return json.loads(json.dumps(spec.to_dict(), default=float))
