/** Unix milliseconds as ISO-8601 (null stays null), for JSON answers: how the database's times leave the API. */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
