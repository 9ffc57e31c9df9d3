"""The portal's side of the ops-webhook link (VM112): hand an onboarding event to the local emitter.

``emit_event(event, domain, session_id, data)`` returns at once: the event goes on a queue, and a
worker thread of this module hands it to the emitter (POST /v1/events), retrying with backoff for
about 30 s (a restart of the emitter is a delay, its socket queues the connection). The emitter then
keeps it in its durable outbox and delivers it to Ops. Needs only the standard library and httpx.

Settings, from the environment:
  OPS_WEBHOOK_EMITTER_URL   default http://127.0.0.1:8787/v1/events
  EMITTER_API_TOKEN         the emitter's API token; or else
  EMITTER_API_TOKEN_FILE    a file holding it, default /etc/ops-webhook-portal/token
                            (group ops-webhook-portal: usermod -aG ops-webhook-portal PORTAL_USER)
"""
from __future__ import annotations

import atexit
import logging
import os
import pathlib
import queue
import threading
import time
from typing import Any, Callable, Optional

import httpx

log = logging.getLogger("ops_webhook")

DEFAULT_URL = "http://127.0.0.1:8787/v1/events"
DEFAULT_TOKEN_FILE = "/etc/ops-webhook-portal/token"
DEADLINE_S = 30.0
FIRST_PAUSE_S = 0.5
MAX_PAUSE_S = 8.0


class TokenMissing(RuntimeError):
    """Neither EMITTER_API_TOKEN nor a readable token file: the portal cannot hand events over."""


def read_token(environ: Optional[dict] = None) -> str:
    env = os.environ if environ is None else environ
    token = env.get("EMITTER_API_TOKEN", "").strip()
    if token:
        return token
    path = pathlib.Path(env.get("EMITTER_API_TOKEN_FILE", DEFAULT_TOKEN_FILE))
    try:
        token = path.read_text().strip()
    except OSError as exc:
        raise TokenMissing(
            f"cannot read the emitter's API token from {path} ({exc.strerror}): set EMITTER_API_TOKEN, "
            f"or add the portal's user to the group ops-webhook-portal"
        ) from None
    if not token:
        raise TokenMissing(f"{path} is empty: run ops-webhook setup emitter again")
    return token


class Emitter:
    """One worker thread handing events over in order; ``emit`` never blocks the caller."""

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None,
                 deadline_s: float = DEADLINE_S, first_pause_s: float = FIRST_PAUSE_S,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic):
        self.url = url or os.environ.get("OPS_WEBHOOK_EMITTER_URL", DEFAULT_URL)
        self._token = token
        self.deadline_s = deadline_s
        self.first_pause_s = first_pause_s
        self._sleep = sleep
        self._clock = clock
        self._queue: "queue.Queue[Optional[dict]]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self.outcomes: list[tuple[str, str]] = []  # (key, "accepted" | "duplicate" | "refused" | "gave up"), for tests and logs

    def emit(self, event: str, domain: str, session_id: str, data: Optional[dict] = None) -> None:
        body = {"event": event, "domain": domain, "session_id": session_id, "data": data or {}}
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                # Not a daemon: at exit the interpreter waits for the queue (see close()).
                self._thread = threading.Thread(target=self._run, name="ops-webhook-emitter", daemon=False)
                self._thread.start()
        self._queue.put(body)

    def flush(self, timeout: float = DEADLINE_S + 5) -> bool:
        """Waits until every queued event was handed over or given up; True when the queue drained."""
        end = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < end:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(self.deadline_s + 5)

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while True:
                body = self._queue.get()
                try:
                    if body is None:
                        return
                    self._hand_over(client, body)
                except Exception:  # never let one event stop the worker
                    log.exception("ops-webhook: handing an event over failed unexpectedly")
                finally:
                    self._queue.task_done()

    def _hand_over(self, client: httpx.Client, body: dict[str, Any]) -> None:
        key = f"{body['event']} {body['session_id']} {body['domain']}"
        started, pause, tries, last = self._clock(), self.first_pause_s, 0, ""
        while True:
            tries += 1
            left = self.deadline_s - (self._clock() - started)
            try:
                token = self._token or read_token()
                r = client.post(self.url, json=body, headers={"Authorization": f"Bearer {token}"},
                                timeout=max(1.0, min(5.0, left)))
                if r.status_code == 202:
                    duplicate = bool(r.json().get("duplicate"))
                    self.outcomes.append((key, "duplicate" if duplicate else "accepted"))
                    return
                last = f"{r.status_code} {r.text[:300]}"
                if r.status_code < 500 and r.status_code != 429:
                    # 4xx: the payload or the token is wrong; sending it again would not help.
                    log.error("ops-webhook emitter refused %s: %s", key, last)
                    self.outcomes.append((key, "refused"))
                    return
            except TokenMissing as exc:
                last = str(exc)
            except httpx.HTTPError as exc:  # not reached, or cut off: try again (the emitter deduplicates)
                last = f"unreachable: {exc}"
            if self._clock() - started + pause > self.deadline_s:
                log.error("ops-webhook emitter never took %s after %d tries (%s): Ops will not know of it", key, tries, last)
                self.outcomes.append((key, "gave up"))
                return
            self._sleep(pause)
            pause = min(pause * 2, MAX_PAUSE_S)


_default: Optional[Emitter] = None
_default_lock = threading.Lock()


def default_emitter() -> Emitter:
    global _default
    with _default_lock:
        if _default is None:
            _default = Emitter()
            atexit.register(_default.close)
        return _default


def emit_event(event: str, domain: str, session_id: str, data: Optional[dict] = None) -> None:
    """Hands one onboarding event to the emitter in the background; returns at once."""
    default_emitter().emit(event, domain, session_id, data)
