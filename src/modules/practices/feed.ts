/** The Atom feed (RFC 4287) of new and re-rated practices. */
import type { PracticeEvent } from './store.ts';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

const RATING_WORDS: Record<string, string> = { effective: 'effective', promising: 'promising', no_effects: 'no effects', negative_effects: 'negative effects', inconclusive: 'inconclusive' };

export function atomFeed(events: PracticeEvent[], publicUrl: string): string {
  const self = `${publicUrl}/api/practices/feed.atom`;
  const updated = events[0]?.at ?? new Date(0).toISOString();
  const entries = events.map((e) => {
    const link = `${publicUrl}/practices/${e.practice_id}`;
    const changes = (e.detail.changes ?? []).map((c) => `${c.domain.replaceAll('_', ' ')}: ${c.from ? `${RATING_WORDS[c.from] ?? c.from} to ` : ''}${RATING_WORDS[c.to] ?? c.to}`);
    const title = e.kind === 'new' ? `New practice: ${e.practice_name}` : `Re-rated: ${e.practice_name}`;
    const summary = e.kind === 'new' ? 'Added to the promising-practices library.' : `Ratings changed: ${changes.join('; ')}.`;
    return [
      '  <entry>',
      `    <id>urn:uuid:${e.id}</id>`,
      `    <title>${esc(title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${esc(link)}"/>`,
      `    <updated>${e.at}</updated>`,
      `    <category term="${e.kind}"/>`,
      `    <summary>${esc(summary)}</summary>`,
      '  </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    '  <title>Taskforce Hub: promising practices</title>',
    '  <subtitle>New and re-rated practices of the evidence library</subtitle>',
    `  <id>${esc(self)}</id>`,
    `  <link rel="self" type="application/atom+xml" href="${esc(self)}"/>`,
    `  <link rel="alternate" type="text/html" href="${esc(publicUrl)}/practices"/>`,
    `  <updated>${updated}</updated>`,
    '  <author><name>Taskforce Hub</name></author>',
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
