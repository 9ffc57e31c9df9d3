/**
 * Failed TLS handshakes in the journal, paced: anyone who reaches the mutual-TLS port can fail
 * one per connection, and one line each would let them flood the log. The first failure of a
 * reason in a minute is written at once; the rest of that minute are counted and written as one
 * line when it ends. workerd does not say which peer a handshake failed with, so the count is per
 * reason; the firewall caps connections per source (docs/deploy.md).
 */

export const HANDSHAKE_WINDOW_MS = 60_000;

export class HandshakeLog {
  #counts = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (fields: Record<string, unknown>) => void,
    private readonly windowMs = HANDSHAKE_WINDOW_MS,
  ) {}

  /** One failed handshake, for `reason`; `reference` (an outbound one's, which the worker's error names) is always written. */
  failed(reason: string, reference?: string): void {
    if (reference) return this.write({ msg: 'TLS handshake failed', reason, reference });
    const seen = this.#counts.get(reason);
    if (seen !== undefined) {
      this.#counts.set(reason, seen + 1);
      return;
    }
    this.#counts.set(reason, 0);
    this.write({ msg: 'TLS handshake failed', reason, note: `further failures for this reason within ${this.windowMs / 1000} s are counted, then written as one line` });
    this.#timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
  }

  /** Writes the counts of the window that ends now, and starts afresh. */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [reason, count] of this.#counts) if (count > 0) this.write({ msg: 'TLS handshakes failed', reason, count, window_s: this.windowMs / 1000 });
    this.#counts.clear();
  }
}
