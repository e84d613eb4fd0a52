import type { View } from '../../platform/web/view.ts';
import { Table } from '../../platform/web/components.tsx';
import type { Cell } from '../../platform/stats/suppress.ts';

export function cellText(v: View, c: Cell, threshold: number): string {
  if (!c.suppressed) return String(c.value);
  return c.why === 'complementary' ? v.t('ls.protecting') : v.t('ls.fewer', { n: threshold + 1 });
}

/**
 * Inputs per theme as a server-rendered horizontal bar chart: an image with a title and a text description for
 * assistive technology, followed by the same figures in a table. A suppressed count draws no bar.
 */
export function ThemeChart({ v, id, title, rows, threshold }: { v: View; id: string; title: string; rows: { name: string; total: Cell }[]; threshold: number }) {
  const w = 640;
  const rowH = 28;
  const left = 220;
  const top = 8;
  const h = top + rows.length * rowH + 8;
  const max = Math.max(1, ...rows.map((r) => r.total.value ?? 0));
  const desc = rows.map((r) => `${r.name}: ${cellText(v, r.total, threshold)}`).join('; ');
  return (
    <figure class="margin-x-0 margin-y-2">
      <svg role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${w} ${Math.max(h, 40)}`} width="100%" preserveAspectRatio="xMinYMin meet">
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc || v.t('table.none')}</desc>
        {rows.map((r, i) => {
          const y = top + i * rowH;
          const bw = r.total.value ? ((w - left - 80) * r.total.value) / max : 0;
          return (
            <g>
              <text x={left - 8} y={y + 18} text-anchor="end" font-size="12" fill="#1b1b1b">
                {r.name.length > 32 ? r.name.slice(0, 31) + '…' : r.name}
              </text>
              {bw > 0 && <rect x={left} y={y + 4} width={bw} height={rowH - 8} fill="#005ea2" />}
              <text x={left + bw + 6} y={y + 18} font-size="12" fill="#1b1b1b">
                {cellText(v, r.total, threshold)}
              </text>
            </g>
          );
        })}
      </svg>
      <Table v={v} caption={title} head={[v.t('ls.theme'), v.t('ls.inputs')]} rows={rows.map((r) => [r.name, cellText(v, r.total, threshold)])} />
    </figure>
  );
}
