/** Searching text columns from what a person typed. */

/** A LIKE pattern (used with `ESCAPE '\\'`) matching values that contain `text`, its wildcards taken literally. */
export function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
