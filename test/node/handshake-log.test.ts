/** The pacing of failed-handshake lines (host/workerd/handshake-log.ts), on fake timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HandshakeLog } from '../../host/workerd/handshake-log';

afterEach(() => vi.useRealTimers());

describe('failed handshakes in the log', () => {
  it('writes the first of a reason at once, the rest of its minute as one count, then starts afresh', () => {
    vi.useFakeTimers();
    const lines: Record<string, unknown>[] = [];
    const log = new HandshakeLog((fields) => lines.push(fields));
    for (let i = 0; i < 300; i++) log.failed('peer sent no certificates');
    log.failed('unknown issuer');
    expect(lines.map((l) => l.msg)).toEqual(['TLS handshake failed', 'TLS handshake failed']);
    vi.advanceTimersByTime(60_000);
    expect(lines.slice(2)).toEqual([{ msg: 'TLS handshakes failed', reason: 'peer sent no certificates', count: 299, window_s: 60 }]);
    log.failed('peer sent no certificates');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ msg: 'TLS handshake failed', reason: 'peer sent no certificates' });
  });

  it('always writes an outbound failure, whose reference the worker’s error names', () => {
    const lines: Record<string, unknown>[] = [];
    const log = new HandshakeLog((fields) => lines.push(fields));
    log.failed('UnknownIssuer', 'a1');
    log.failed('UnknownIssuer', 'a2');
    expect(lines.map((l) => l.reference)).toEqual(['a1', 'a2']);
    log.flush();
  });
});
