#!/usr/bin/env node
/**
 * Entry point of `npm run serve -- <receiver|emitter>` and of the systemd units
 * (`node host/serve.mjs receiver`). Runs the host as the plain-JavaScript bundle dist/host.mjs,
 * rebuilt first when it is missing or older than its sources (`npm run build` builds it too).
 */
import { pathToFileURL } from 'node:url';
import { buildHostBundle, HOST_BUNDLE, hostBundleStale } from './bundle.mjs';

// Every file the host and its children make (the database and its WAL, backups, the API token,
// workerd's config) is for the service's user alone, whoever started it and with what umask.
process.umask(0o077);

if (hostBundleStale()) await buildHostBundle();
await import(pathToFileURL(HOST_BUNDLE).href);
