"""schemathesis against the live server's own OpenAPI document (issue 9): every operation of /api/v1 with a manager
token, valid and invalid requests, on a real waitress server. Any 5xx, a status code the document does not list,
an answer that breaks its documented schema or content type, or a valid request refused, fails the build.

Bounded and reproducible: at most ``LOYALTY_SCHEMATHESIS_EXAMPLES`` (25) generated requests per operation and
phase, a fixed seed and deterministic generation, so a failure is the same failure on every run. The report
(printed on failure) names each failing request with a curl line to replay it."""
import os
import shutil
import subprocess
import sys

from builders import make_app, program_body

EXAMPLES = int(os.environ.get("LOYALTY_SCHEMATHESIS_EXAMPLES", 25))
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def schemathesis_cli() -> list[str]:
    exe = shutil.which("schemathesis", path=os.path.dirname(sys.executable)) or shutil.which("schemathesis")
    return [exe] if exe else [sys.executable, "-m", "schemathesis.cli"]


def test_the_api_keeps_the_promises_of_its_openapi_document(tmp_path):
    from livesupport import LiveServer
    from loyalty.auth import create_token
    from loyalty.db import database

    app = make_app("sqlite:///" + str(tmp_path / "st.sqlite3"))
    with app.app_context():
        token = create_token("schemathesis", "manager")[1]
        client, headers = app.test_client(), {"Authorization": f"Bearer {token}"}
        # Something for the generated requests to find: a program, and an account linked to a POS customer.
        assert client.post("/api/v1/programs", json=program_body(), headers=headers).status_code == 201
        assert client.post("/api/v1/accounts", headers=headers, json={
            "first_name": "Dana", "last_name": "Whitfield", "email": "dana@example.com",
            "link": {"system": "lightspeed-x", "customer_id": "c-42"}}).status_code == 201
        with LiveServer(app, threads=4) as server:
            run = subprocess.run(
                [*schemathesis_cli(), "run", server.url + "/api/v1/openapi.json", "--url", server.url,
                 "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--mode", "all",
                 "--phases", "examples,fuzzing", "--max-examples", str(EXAMPLES), "--seed", "20261126",
                 "--generation-deterministic", "--workers", "1", "--request-timeout", "10",
                 "--report-dir", str(tmp_path / "report"), "--no-color"],
                capture_output=True, text=True, timeout=1200, cwd=tmp_path,
                env={**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"})
    if not database.is_closed():
        database.close()
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
