"""How the portal (FastAPI) calls ops-webhook: after the account exists, one line per milestone.

Copy ops_webhook.py beside the portal's code (or add /usr/share/ops-webhook/portal to its
PYTHONPATH). The call returns at once, so the customer's response never waits on Ops.
"""
from fastapi import FastAPI

from ops_webhook import emit_event

app = FastAPI()


@app.post("/onboarding/{session_id}/account")
def create_account(session_id: str, domain: str, admin_email: str):
    # ... the portal creates the mail account here ...
    emit_event("account.created", domain, session_id, {"admin_email": admin_email})
    return {"ok": True}


@app.post("/onboarding/{session_id}/failed")
def onboarding_failed(session_id: str, domain: str, step: str, reason: str):
    emit_event("onboarding.failed", domain, session_id, {"step": step, "reason": reason})
    return {"ok": True}
