/**
 * Conformance of the serve process's libSQL endpoint, with the official @libsql/client (the same
 * Hrana-over-HTTP code the worker runs) as the peer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, LibsqlError, type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHrana } from '../../host/hrana/http';
import { HranaEndpoint } from '../../host/hrana/endpoint';
import { openSqlite, type SqliteDb } from '../../host/sqlite';

const TOKEN = 'conformance-token-0123456789abcdef';
let dir: string;
let sqlite: SqliteDb;
let endpoint: HranaEndpoint;
let server: Server;
let client: Client;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hrana-'));
  sqlite = openSqlite(join(dir, 'test.db'), 'NORMAL');
  endpoint = new HranaEndpoint(sqlite, { streamIdleMs: 500 });
  server = await listenHrana(endpoint, { port: 0 }, { token: TOKEN });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = createClient({ url, authToken: TOKEN, intMode: 'bigint' });
  await client.execute('CREATE TABLE kv (k TEXT PRIMARY KEY, v)');
});

afterAll(() => {
  client?.close();
  server?.close();
  endpoint?.close();
  sqlite?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('libSQL endpoint', () => {
  it('executes a statement with positional arguments and reports affected rows and rowid', async () => {
    const rs = await client.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['a', 1] });
    expect(rs.rowsAffected).toBe(1);
    expect(rs.lastInsertRowid).toBeTypeOf('bigint');
  });

  it('binds named arguments with each prefix', async () => {
    await client.execute({ sql: 'INSERT INTO kv (k, v) VALUES (:k, $v)', args: { k: 'named', v: 'x' } });
    const rs = await client.execute({ sql: 'SELECT v FROM kv WHERE k = @k', args: { k: 'named' } });
    expect(rs.rows[0]?.v).toBe('x');
  });

  it('round-trips null, big integers, floats, text and blobs with their types', async () => {
    const big = 9007199254740993n;
    const blob = new Uint8Array([0, 1, 2, 254, 255]);
    const rs = await client.execute({
      sql: 'SELECT ? AS n, ? AS i, ? AS f, ? AS t, ? AS b, typeof(?) AS ti',
      args: [null, big, 1.5, 'héllo — ✓', blob, big],
    });
    const row = rs.rows[0]!;
    expect(row.n).toBeNull();
    expect(row.i).toBe(big);
    expect(row.f).toBe(1.5);
    expect(row.t).toBe('héllo — ✓');
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(blob);
    expect(row.ti).toBe('integer');
    expect(rs.columns).toEqual(['n', 'i', 'f', 't', 'b', 'ti']);
  });

  it('reports rows affected by INSERT … RETURNING', async () => {
    const rs = await client.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?) RETURNING k', args: ['ret', 1] });
    expect(rs.rows[0]?.k).toBe('ret');
    expect(rs.rowsAffected).toBe(1);
  });

  it('surfaces a constraint violation as LibsqlError with the SQLite code', async () => {
    const err = await client.execute({ sql: 'INSERT INTO kv (k) VALUES (?)', args: ['a'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    expect((err as LibsqlError).code).toMatch(/^SQLITE_CONSTRAINT/);
  });

  it('surfaces a syntax error as LibsqlError', async () => {
    const err = await client.execute('SELEC 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    expect((err as LibsqlError).code).toMatch(/^SQLITE_ERROR/);
  });

  it('commits a batch atomically', async () => {
    await client.batch(
      [
        { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['b1', 1] },
        { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['b2', 2] },
      ],
      'write',
    );
    const rs = await client.execute("SELECT count(*) AS c FROM kv WHERE k IN ('b1', 'b2')");
    expect(rs.rows[0]?.c).toBe(2n);
  });

  it('rolls back every step of a batch when one step fails', async () => {
    const err = await client
      .batch(
        [
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['r1', 1] },
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['a', 2] },
        ],
        'write',
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibsqlError);
    const rs = await client.execute("SELECT count(*) AS c FROM kv WHERE k = 'r1'");
    expect(rs.rows[0]?.c).toBe(0n);
  });

  it('group-commits concurrent batches, rolling back only the one that fails', async () => {
    const batches = Array.from({ length: 20 }, (_, i) =>
      client.batch(
        [
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: [`g${i}`, BigInt(i)] },
          // Batch 7 collides with an existing key and must leave no trace.
          { sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: [i === 7 ? 'a' : `g${i}-b`, 0n] },
        ],
        'write',
      ),
    );
    const settled = await Promise.allSettled(batches);
    expect(settled.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((settled[7] as PromiseRejectedResult).reason).toBeInstanceOf(LibsqlError);
    const rs = await client.execute("SELECT count(*) AS c FROM kv WHERE k LIKE 'g%'");
    expect(rs.rows[0]?.c).toBe(38n);
    const gone = await client.execute("SELECT count(*) AS c FROM kv WHERE k = 'g7'");
    expect(gone.rows[0]?.c).toBe(0n);
  });

  it('keeps batches and interactive transactions isolated from each other', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['mix-tx', 1n] });
    const batch = client.batch([{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['mix-batch', 1n] }], 'write');
    await new Promise((r) => setTimeout(r, 30));
    await tx.rollback();
    await batch;
    const rs = await client.execute("SELECT k FROM kv WHERE k LIKE 'mix-%' ORDER BY k");
    expect(rs.rows.map((r) => r.k)).toEqual(['mix-batch']);
  });

  it('commits an interactive write transaction', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['t1', 1n] });
    const inside = await tx.execute("SELECT v FROM kv WHERE k = 't1'");
    expect(inside.rows[0]?.v).toBe(1n);
    await tx.commit();
    const rs = await client.execute("SELECT v FROM kv WHERE k = 't1'");
    expect(rs.rows[0]?.v).toBe(1n);
  });

  it('rolls back an interactive transaction', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['t2', 1] });
    await tx.rollback();
    const rs = await client.execute("SELECT count(*) AS c FROM kv WHERE k = 't2'");
    expect(rs.rows[0]?.c).toBe(0n);
  });

  it('isolates an open transaction: other streams wait for it instead of seeing its writes', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['iso', 1] });
    const other = client.execute("SELECT count(*) AS c FROM kv WHERE k = 'iso'");
    await new Promise((r) => setTimeout(r, 50));
    await tx.rollback();
    expect((await other).rows[0]?.c).toBe(0n);
  });

  it('rolls back and frees the connection when a transaction is abandoned', async () => {
    const tx = await client.transaction('write');
    await tx.execute({ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', args: ['abandoned', 1] });
    // No commit, no close: the stream idles out (500 ms here) and the next writer proceeds.
    const rs = await client.execute("SELECT count(*) AS c FROM kv WHERE k = 'abandoned'");
    expect(rs.rows[0]?.c).toBe(0n);
    expect(endpoint.openStreams).toBe(0);
  });

  it('answers a repeated SELECT * with the columns of the current schema after ALTER TABLE, by statement or sequence', async () => {
    await client.execute('CREATE TABLE shape (a)');
    await client.execute("INSERT INTO shape (a) VALUES ('x')");
    expect((await client.execute('SELECT * FROM shape')).columns).toEqual(['a']);
    await client.execute('ALTER TABLE shape ADD COLUMN b');
    expect((await client.execute('SELECT * FROM shape')).columns).toEqual(['a', 'b']);
    await client.executeMultiple('ALTER TABLE shape ADD COLUMN c; UPDATE shape SET c = 1');
    const rs = await client.execute('SELECT * FROM shape');
    expect(rs.columns).toEqual(['a', 'b', 'c']);
    expect(rs.rows[0]?.c).toBe(1n);
  });

  it('runs executeMultiple as a sequence', async () => {
    await client.executeMultiple("INSERT INTO kv (k, v) VALUES ('m1', 1); INSERT INTO kv (k, v) VALUES ('m2', 2);");
    const rs = await client.execute("SELECT count(*) AS c FROM kv WHERE k IN ('m1', 'm2')");
    expect(rs.rows[0]?.c).toBe(2n);
  });

  it('refuses a client without the token', async () => {
    const stranger = createClient({ url, authToken: 'wrong-token' });
    await expect(stranger.execute('SELECT 1')).rejects.toThrow(/401|unauthorized/i);
    stranger.close();
  });
});
