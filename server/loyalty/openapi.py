"""OpenAPI for /api/v1, generated from the routes and the marshmallow schemas (docs/openapi.json)."""
from __future__ import annotations

import json
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import schemas

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
    "api.member_cards_assign": schemas.MemberCardAssignSchema,
    "api.member_cards_revoke": schemas.MemberCardRevokeSchema,
    "api.points_redeem": schemas.PointsRedeemSchema,
    "api.points_adjust": schemas.PointsAdjustSchema,
}
ERRORS = {
    "400": "Malformed JSON", "401": "Missing or invalid token", "403": "Role too low",
    "404": "Unknown id", "409": "Conflict (already_linked, reason_required, customer_not_linked, "
    "no_reward_available, insufficient_points, program_archived, sale_committed, card_assigned, card_revoked, "
    "card_unassigned, account_has_card)", "413": "Body over 1 MB", "422": "Invalid fields, each named in error.fields",
}


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
                  "responses": {"200": {"description": "OK"}}}
            role = getattr(view, "required_role", None)
            if role:
                op["security"] = [{"bearer": []}]
                op["description"] += f"\n\nRole: {role} or higher."
            schema = REQUEST_BODIES.get(rule.endpoint)
            if schema is not None:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
            for code, text in ERRORS.items():
                if role or code in ("400", "404", "422"):
                    op["responses"][code] = {"description": text, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            operations[method.lower()] = op
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"{([a-z_]+)}", path)]
        if params:
            for op in operations.values():
                op["parameters"] = params
        spec.path(path=path, operations=operations)
    # Validators carry Decimal bounds; JSON numbers are what clients read.
    return json.loads(json.dumps(spec.to_dict(), default=float))
