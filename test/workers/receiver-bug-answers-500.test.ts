/**
 * A plain bug is not an unavailable database: an error without positive evidence (a TypeError
 * thrown from the ticket policy here) answers 500 internal_error and is logged, so the emitter
 * retries it on its normal schedule instead of treating it as a busy disk (503 with Retry-After).
 */
import { describe, expect, it, vi } from 'vitest';
import { makeEvent } from '../support/factories';
import { deliver, ENV } from './helpers';

vi.mock('../../functions/receiver/intake/ticket-policy', async (original) => ({
  ...(await original<typeof import('../../functions/receiver/intake/ticket-policy')>()),
  planTicket: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'subject')");
  },
}));

describe('a bug inside intake', () => {
  it('answers 500 internal_error without Retry-After, and logs the error', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    let res: Response;
    try {
      res = await deliver(makeEvent(), {}, { ...ENV, LOG_LEVEL: 'info' });
    } finally {
      spy.mockRestore();
    }
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('internal_error');
    expect(lines.some((line) => line.includes('unhandled error') && line.includes('TypeError'))).toBe(true);
  });
});
