/**
 * Setup file of the black-box tests: every JSON answer a test gets from a function served on
 * loopback is recorded, and after the file's tests each must match the OpenAPI document that
 * describes its operation, status included. So the documents are held to what the functions
 * really answer in every scenario the black-box tests play.
 */
import { afterAll, expect } from 'vitest';
import { responseMismatch } from './openapi-check';

interface Recorded {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

const recorded: Recorded[] = [];
const realFetch = globalThis.fetch;

globalThis.fetch = async function recordingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const res = await realFetch(input, init);
  const request = input instanceof Request ? input : new Request(input, init);
  const url = new URL(request.url);
  if (url.hostname === '127.0.0.1' && res.headers.get('content-type')?.startsWith('application/json')) {
    const body = await res
      .clone()
      .json()
      .catch(() => undefined);
    recorded.push({ method: request.method, path: url.pathname, status: res.status, body });
  }
  return res;
};

afterAll(() => {
  const mismatches = recorded.map((r) => responseMismatch(r.method, r.path, r.status, r.body)).filter((m): m is string => m !== undefined);
  expect([...new Set(mismatches)]).toEqual([]);
});
