/**
 * Drives a function's sweep (the emitter's outbox; the receiver's retention), since plain
 * workerd has no cron: one POST at a time to
 * /__internal/sweep over loopback, again at once while the worker reports more due work,
 * otherwise every SWEEP_INTERVAL_MS. The first sweep runs as soon as workerd listens, so
 * messages left by a previous run go out without waiting.
 */
import { SWEEP_PATH, SWEEP_TOKEN_HEADER } from '../functions/host-contract/wire-names';
import type { Logger } from '../functions/host-contract/logger';
import { authority } from './address';

/** Longest a sweep request may take (a sweep's own budget is 5 s plus the attempts in flight). */
const SWEEP_TIMEOUT_MS = 120_000;

export class SweepDriver {
  #port: number | undefined;
  #running = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly token: string,
    private readonly host: string,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** (Re)points the driver at workerd's port (it changes when an ephemeral port is re-bound after a crash). */
  start(port: number): void {
    this.#port = port;
    if (!this.#running) {
      this.#running = true;
      void this.#loop();
    }
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  async #loop(): Promise<void> {
    // Wildcard binds are reached through loopback; a specific address through itself.
    const host = ['0.0.0.0', '::', 'localhost'].includes(this.host) ? '127.0.0.1' : this.host;
    while (!this.#stopped) {
      let more = false;
      try {
        const res = await fetch(`http://${authority(host, this.#port!)}${SWEEP_PATH}`, {
          method: 'POST',
          headers: { [SWEEP_TOKEN_HEADER]: this.token },
          signal: AbortSignal.timeout(SWEEP_TIMEOUT_MS),
        });
        const summary = (await res.json()) as { more?: boolean };
        more = res.ok && summary.more === true;
      } catch (err) {
        if (!this.#stopped) this.log.warn('sweep request failed', { error: (err as Error).message });
      }
      if (!more && !this.#stopped) {
        await new Promise<void>((resolve) => (this.#timer = setTimeout(resolve, this.intervalMs)));
      }
    }
  }
}
