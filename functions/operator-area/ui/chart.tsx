/**
 * A small bar chart as inline SVG, rendered on the server: no script, readable by screen readers
 * (a title, and the figures as a table a person can also read).
 */
export interface Bar {
  label: string;
  value: number;
}

export interface BarChartProps {
  id: string;
  title: string;
  bars: Bar[];
  /** Unit for the figures, e.g. `tickets` or `ms`. */
  unit: string;
}

const WIDTH = 640;
const HEIGHT = 160;
const AXIS = 18;

export function BarChart({ id, title, bars, unit }: BarChartProps) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = WIDTH / Math.max(1, bars.length);
  const summary = bars.map((b) => `${b.label}: ${b.value} ${unit}`).join('; ');
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`} role="img" aria-labelledby={`${id}-title ${id}-desc`} xmlns="http://www.w3.org/2000/svg">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{summary}</desc>
        {bars.map((bar, i) => {
          const h = Math.round((bar.value / max) * (HEIGHT - 14));
          return (
            <g>
              <rect x={Math.round(i * step + step * 0.15)} y={HEIGHT - h} width={Math.max(1, Math.round(step * 0.7))} height={h} fill="#0a58ca" />
              {bar.value > 0 ? (
                <text x={Math.round(i * step + step / 2)} y={HEIGHT - h - 3} font-size="11" text-anchor="middle" fill="#1b1f24">
                  {String(bar.value)}
                </text>
              ) : null}
              {bars.length <= 14 || i % 3 === 0 ? (
                <text x={Math.round(i * step + step / 2)} y={HEIGHT + 13} font-size="10" text-anchor="middle" fill="#57606a">
                  {bar.label}
                </text>
              ) : null}
            </g>
          );
        })}
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} stroke="#8c959f" />
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
