/** Rows to the shapes the API and the pages show. */
import type { IcsEvent } from '../listening/index.ts';
import type { OutreachEvent, Reportback } from './schema.ts';

export const reportbackOut = (rb: Reportback) => ({
  id: rb.id,
  campaign_id: rb.campaign_id,
  group_id: rb.group_id,
  group_name: rb.group_name,
  summary: rb.summary,
  quantity: rb.quantity,
  photo_url: rb.photo_id ? `/outreach/photos/${rb.photo_id}` : null,
  photo_alt: rb.photo_alt,
  status: rb.status,
  created_at: rb.created_at,
});

export function eventIcs(publicUrl: string, e: OutreachEvent): IcsEvent {
  const page = `${publicUrl.replace(/\/$/, '')}/outreach/events/${e.id}`;
  const description = [e.description, `Accessibility: ${e.accessibility}`, e.online_url ? `Join: ${e.online_url}` : null].filter(Boolean).join('\n\n');
  return { uid: `outreach-event-${e.id}@taskforce-hub`, start: e.starts_at, end: e.ends_at, summary: e.title, description, location: e.place ?? e.online_url ?? undefined, url: page };
}
