import type { View } from '../../platform/web/view.ts';
import { Table } from '../../platform/web/components.tsx';
import { percent } from './rollup.ts';
import { periodLabel } from './presenters.ts';

export interface ChartPoint {
  period: string;
  progress: number | null;
}

/**
 * Progress over reporting periods as a server-rendered bar chart. The SVG is an image with a title and a
 * description for assistive technology, and the same figures follow in a table.
 */
export function ProgressChart({ v, id, title, points }: { v: View; id: string; title: string; points: ChartPoint[] }) {
  const w = 560;
  const h = 220;
  const left = 44;
  const bottom = 30;
  const top = 12;
  const plotH = h - bottom - top;
  const slot = (w - left - 10) / Math.max(1, points.length);
  const barW = Math.min(60, slot * 0.6);
  const desc = points.map((p) => `${periodLabel(v.lang, p.period)}: ${percent(p.progress)}`).join('; ');
  return (
    <figure class="margin-x-0 margin-y-2">
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${w} ${h}`} width="100%" class="workplans-chart" preserveAspectRatio="xMinYMin meet">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        {[0, 0.25, 0.5, 0.75, 1].map((t) => {
          const y = top + plotH * (1 - t);
          return (
            <g>
              <line x1={left} x2={w - 6} y1={y} y2={y} stroke="#dfe1e2" stroke-width="1" />
              <text x={left - 6} y={y + 4} text-anchor="end" font-size="11" fill="#1b1b1b">
                {Math.round(t * 100)}%
              </text>
            </g>
          );
        })}
        {points.map((p, i) => {
          const x = left + slot * i + (slot - barW) / 2;
          const value = p.progress ?? 0;
          const bh = plotH * value;
          return (
            <g>
              <rect x={x} y={top + plotH - bh} width={barW} height={bh} fill="#005ea2" />
              <text x={x + barW / 2} y={top + plotH - bh - 3} text-anchor="middle" font-size="11" fill="#1b1b1b">
                {percent(p.progress)}
              </text>
              <text x={x + barW / 2} y={h - 10} text-anchor="middle" font-size="11" fill="#1b1b1b">
                {periodLabel(v.lang, p.period)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="usa-sr-only">{title}</figcaption>
      <Table v={v} caption={title} head={[v.t('wp.period'), v.t('wp.progress')]} rows={points.map((p) => [periodLabel(v.lang, p.period), percent(p.progress)])} />
    </figure>
  );
}
