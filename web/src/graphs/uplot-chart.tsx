// One uPlot chart (a canvas): created once, fed new columns as samples arrive, destroyed on unmount.
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import { useResolvedTheme, useTimeZone } from '../ui/preferences.ts';
import { formatTime } from '../ui/time-format.ts';

export interface UPlotChartProps {
  /** The chart in words (the canvas's text alternative). */
  label: string;
  data: [number[], number[], number[]];
  width: number;
  height: number;
  /** Sparkline: no axes, no legend. */
  bare?: boolean;
  unit?: string;
}

/** The theme's colours, as the legend text uses them (read: accent, write: bad). */
function themeColour(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

export function UPlotChart({ label, data, width, height, bare, unit }: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;
  // Made again when the theme (its colours) or the zone (its time axis, the legend's time) changes.
  const theme = useResolvedTheme();
  const zone = useTimeZone();

  // biome-ignore lint/correctness/useExhaustiveDependencies: theme changes the colours read from CSS
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const read = themeColour(el, '--accent', '#1f5fbf');
    const write = themeColour(el, '--bad', '#c62828');
    const axis = {
      stroke: 'currentColor',
      grid: { stroke: 'rgba(128,128,128,0.2)' },
      ticks: { show: false },
    };
    // The console's one time format (uPlot's x values are seconds): HH:MM:SS on the axis, all of it in the legend.
    const clock = (_u: uPlot, splits: number[]) =>
      splits.map((s) => formatTime(s * 1000, { zone, withZone: false }).slice(11));
    const u = new uPlot(
      {
        width,
        height,
        legend: { show: !bare },
        cursor: { show: !bare },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: bare
          ? [{ show: false }, { show: false }]
          : [
              { ...axis, values: clock },
              { ...axis, size: 56, values: (_u, vals) => vals.map((v) => compact(v)) },
            ],
        series: [
          { value: (_u, v) => (v == null ? '' : formatTime(v * 1000, { zone })) },
          { label: `read${unit ? ` ${unit}` : ''}`, stroke: read, width: 1.5, points: { show: false } },
          { label: `write${unit ? ` ${unit}` : ''}`, stroke: write, width: 1.5, points: { show: false } },
        ],
      },
      latest.current,
      el,
    );
    plot.current = u;
    return () => {
      u.destroy();
      plot.current = null;
    };
  }, [width, height, bare, unit, zone, theme]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div ref={host} role="img" aria-label={label} className="uplot-host" />;
}

function compact(v: number): string {
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(1)}M`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)}K`;
  return String(Math.round(v * 10) / 10);
}
