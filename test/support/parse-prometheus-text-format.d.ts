/** The parser ships no types: it returns the families of a text exposition. */
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
