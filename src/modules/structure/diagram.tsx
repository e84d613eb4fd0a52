import type { View } from '../../platform/web/view.ts';
import type { Overview, Partnership } from './schema.ts';

/** Breaks text into lines of at most `width` characters, on spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

const LINE = 17;
const NAVY = '#1a4480';
const LIGHT = '#d9e8f6';
const CYAN_LIGHT = '#e7f6f8';
const CYAN = '#00bde3';
const INK = '#1b1b1b';

function Lines({ x, y, lines, anchor = 'middle', fill = INK, weight }: { x: number; y: number; lines: string[]; anchor?: string; fill?: string; weight?: string }) {
  return (
    <text x={x} y={y} text-anchor={anchor} fill={fill} font-size="14" font-family="Source Sans Pro, Helvetica, Arial, sans-serif" font-weight={weight}>
      {lines.map((l, i) => (
        <tspan x={x} dy={i === 0 ? 0 : LINE}>
          {l}
        </tspan>
      ))}
    </text>
  );
}

export function partnerNames(p: Partnership): string {
  return p.partners.map((x) => x.agency_abbreviation || x.name).join(', ');
}

/**
 * The task force, its policy group and committees on the left, the partnerships beside them. Drawn on the server;
 * the same facts are listed as text right after it on the page.
 */
export function StructureDiagram({ v, o, titleId, descId, desc }: { v: View; o: Overview; titleId: string; descId: string; desc: string }) {
  const width = 980;
  const leftWidth = 620;
  const committees = o.committees;
  const n = Math.max(committees.length, 1);
  const gap = 10;
  const cw = (leftWidth - gap * (n + 1)) / n;
  const cChars = Math.max(8, Math.floor(cw / 7.5));

  const tf = o.task_force;
  const pg = o.policy_group;
  const tfLines = tf ? [...wrap(tf.name, 52), ...(tf.chair_title ? wrap(`${v.t('structure.chair')}: ${tf.chair_title}`, 52) : [])] : [];
  const pgLines = pg ? [...wrap(pg.name, 52), ...(pg.chair_title ? wrap(`${v.t('structure.chair')}: ${pg.chair_title}`, 60) : [])] : [];
  const boxH = (lines: string[]) => lines.length * LINE + 20;

  const tfY = 10;
  const tfH = tf ? boxH(tfLines) : 0;
  const pgY = tfY + tfH + 40;
  const pgH = pg ? boxH(pgLines) : 0;
  const cY = pgY + pgH + 40;
  const cLines = committees.map((c) => {
    const chairs = c.memberships.filter((m) => m.role !== 'member').map((m) => `${v.t(`structure.role.${m.role}`)}: ${m.agency_abbreviation || m.agency_name}`);
    return { name: wrap(c.name, cChars), chairs: chairs.flatMap((s) => wrap(s, cChars)) };
  });
  const cH = Math.max(60, ...cLines.map((l) => (l.name.length + l.chairs.length) * LINE + 20));
  const leftHeight = committees.length ? cY + cH + 10 : cY;

  const px = leftWidth + 30;
  const pw = width - px - 10;
  let py = 40;
  const pBoxes = o.partnerships.map((p) => {
    const name = wrap(p.name, 40);
    const lead = p.lead_agency_name ? wrap(`${v.t('structure.lead')}: ${p.lead_agency_name}`, 44) : [];
    const partners = wrap(`${v.t('structure.partners')}: ${partnerNames(p)}`, 44);
    const h = (name.length + lead.length + partners.length) * LINE + 24;
    const box = { p, y: py, h, name, lead, partners };
    py += h + 12;
    return box;
  });
  const height = Math.max(leftHeight, py) + 10;
  const center = leftWidth / 2;
  const tfW = 440;

  return (
    <svg class="structure-diagram" role="img" aria-labelledby={`${titleId} ${descId}`} viewBox={`0 0 ${width} ${height}`} width={width} height={height} xmlns="http://www.w3.org/2000/svg">
      <title id={titleId}>{v.t('structure.diagram.title')}</title>
      <desc id={descId}>{desc}</desc>
      {tf && (
        <g>
          <rect x={center - tfW / 2} y={tfY} width={tfW} height={tfH} rx="6" fill={NAVY} />
          <Lines x={center} y={tfY + 22} lines={tfLines} fill="#ffffff" weight="bold" />
        </g>
      )}
      {tf && pg && <line x1={center} y1={tfY + tfH} x2={center} y2={pgY} stroke={NAVY} stroke-width="2" />}
      {pg && (
        <g>
          <rect x={center - tfW / 2} y={pgY} width={tfW} height={pgH} rx="6" fill={NAVY} />
          <Lines x={center} y={pgY + 22} lines={pgLines} fill="#ffffff" />
        </g>
      )}
      {committees.map((c, i) => {
        const x = gap + i * (cw + gap);
        const l = cLines[i];
        return (
          <g>
            {pg && <path d={`M${center} ${pgY + pgH} V${cY - 20} H${x + cw / 2} V${cY}`} fill="none" stroke={NAVY} stroke-width="1.5" />}
            <rect x={x} y={cY} width={cw} height={cH} rx="4" fill={LIGHT} stroke={NAVY} />
            <Lines x={x + cw / 2} y={cY + 22} lines={[...l.name, ...l.chairs]} />
          </g>
        );
      })}
      {o.partnerships.length > 0 && <Lines x={px} y={24} lines={[v.t('structure.partnerships')]} anchor="start" weight="bold" />}
      {pBoxes.map((b) => (
        <g>
          <rect x={px} y={b.y} width={pw} height={b.h} rx="4" fill={CYAN_LIGHT} stroke={CYAN} />
          <Lines x={px + 10} y={b.y + 20} lines={b.name} anchor="start" weight="bold" />
          <Lines x={px + 10} y={b.y + 20 + b.name.length * LINE} lines={[...b.lead, ...b.partners]} anchor="start" />
        </g>
      ))}
    </svg>
  );
}
