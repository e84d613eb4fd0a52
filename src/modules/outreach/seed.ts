/**
 * Demo data, every row marked demo: a small toolkit, a campaign with reportbacks from three groups, events of the
 * national awareness month (January), and materials in English and Spanish linked to each other. The groups
 * belong to a made-up sponsor account id; no student appears anywhere, as in real use.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Log } from '../../platform/module.ts';
import { createCampaign, createEvent, createGroup, createLesson, createMaterial, signUp, submitReportback } from './commands.ts';
import { listCampaigns } from './store.ts';

export const DEMO_SPONSOR_ID = '00000000-0000-4000-8000-00000000d3d0';

const addDays = (days: number) => new Date(Date.now() + days * 86400_000).toISOString().slice(0, 10);

export async function seedOutreach(ctx: Ctx, log: Log): Promise<void> {
  if ((await listCampaigns(ctx.db, { includeDrafts: true })).some((c) => c.demo)) return;
  const demo = { demo: true } as const;

  const lessons = [
    { title: 'What is human trafficking? An introduction', summary: 'Students learn the legal meaning of labor and sex trafficking and the myths around it.', audience: 'students', grade_band: 'high', duration_minutes: 45, language: 'en', goals: 'Define trafficking; tell myths from facts; know where to find help.', materials: 'Projector, fact sheet, index cards.', steps: '1. Warm-up: myth or fact cards (10 min).\n2. Short reading and discussion (20 min).\n3. Where to get help: the national hotline (10 min).\n4. Exit card (5 min).' },
    { title: 'Recognising the signs: a guide for teachers', summary: 'How educators notice warning signs and follow their school protocol.', audience: 'teachers', grade_band: 'mixed', duration_minutes: 60, language: 'en', goals: 'Know the warning signs; know the reporting protocol; support students safely.', materials: 'Slides, school protocol.', steps: '1. Signs to notice.\n2. Scenarios in pairs.\n3. The school protocol, step by step.' },
    { title: '¿Qué es la trata de personas? Una introducción', summary: 'Los estudiantes aprenden qué es la trata laboral y sexual y los mitos que la rodean.', audience: 'students', grade_band: 'high', duration_minutes: 45, language: 'es', goals: 'Definir la trata; distinguir mitos y hechos; saber dónde pedir ayuda.', materials: 'Proyector, hoja informativa, tarjetas.', steps: '1. Tarjetas de mito o hecho (10 min).\n2. Lectura breve y debate (20 min).\n3. Dónde pedir ayuda (10 min).\n4. Tarjeta de salida (5 min).' },
    { title: 'Talking with your teen about online safety', summary: 'A conversation guide for parents about recruitment online.', audience: 'parents', grade_band: 'middle', duration_minutes: 30, language: 'en', goals: 'Start the conversation; know the tactics recruiters use online.', materials: 'Conversation guide.', steps: '1. Read the guide.\n2. Pick a calm moment.\n3. Listen first.' },
  ];
  for (const l of lessons) await createLesson(ctx, l, demo);

  const c = await createCampaign(ctx, { title: 'Posters for Prevention Month (demo)', call_to_action: 'Put up awareness posters with the national hotline in your school and neighbourhood.', description: 'Use the posters of the materials library; count each poster put up.', starts_on: addDays(-30), ends_on: addDays(60), goal: 1000, unit: 'posters put up', status: 'published' }, demo);
  const groups = [
    { name: 'Roosevelt High Advocacy Club (demo)', kind: 'club', state: 'DC', grade_band: 'high', qty: 120, summary: 'Put up posters in every hallway and the library.' },
    { name: 'Eastside Youth Leaders (demo)', kind: 'youth_program', state: 'MD', grade_band: 'mixed', qty: 45, summary: 'Posters at the community centre, the bus stops nearby and two grocery stores.' },
    { name: 'Period 3 Civics Class (demo)', kind: 'class', state: 'VA', grade_band: 'high', qty: 8, summary: 'Posters in our classroom and the school entrance.' },
  ];
  for (const g of groups) {
    const group = await createGroup(ctx, { name: g.name, kind: g.kind, state: g.state, grade_band: g.grade_band }, { ...demo, sponsorUserId: DEMO_SPONSOR_ID });
    await signUp(ctx, c.id, { group_id: group.id });
    await submitReportback(ctx, c.id, { group_id: group.id, summary: g.summary, quantity: g.qty }, undefined, { status: 'accepted' });
  }

  const year = new Date().getUTCMonth() === 0 ? new Date().getUTCFullYear() : new Date().getUTCFullYear() + 1;
  const accessibility = 'Captions and an ASL interpreter; slides shared in advance; Spanish interpretation on request.';
  await createEvent(ctx, { title: 'National Human Trafficking Prevention Month', kind: 'national_month', date: `${year}-01-01`, end_date: `${year}-01-31`, time_zone: 'America/New_York', accessibility: 'Materials in English and Spanish, with alt text and transcripts.', description: 'A month of awareness across the country.' }, demo);
  await createEvent(ctx, { title: 'National Human Trafficking Awareness Day', kind: 'national_day', date: `${year}-01-11`, time_zone: 'America/New_York', accessibility: 'Materials in English and Spanish, with alt text and transcripts.' }, demo);
  await createEvent(ctx, { title: 'Webinar: bringing the toolkit to your classroom', kind: 'webinar', date: `${year}-01-14`, start_time: '15:00', end_time: '16:00', time_zone: 'America/New_York', online_url: 'https://example.org/webinar', accessibility }, demo);
  await createEvent(ctx, { title: 'Community training in Denver', kind: 'training', date: `${year}-01-21`, start_time: '18:00', end_time: '20:00', time_zone: 'America/Denver', place: 'Central Library, community room (step-free entrance)', accessibility }, demo);
  await createEvent(ctx, { title: 'Student advocacy summit (demo)', kind: 'local', date: `${year}-01-28`, start_time: '10:00', end_time: '14:00', time_zone: 'America/New_York', place: "President Lincoln's Cottage, Washington, DC", accessibility, capacity: 150, youth: true, description: 'Student groups share their campaigns. Sponsors register their group and how many are coming; no names.' }, demo);

  const poster = await createMaterial(ctx, { title: 'Know the signs poster', kind: 'poster', audience: 'community', language: 'en', format: 'pdf', url: 'https://example.org/materials/know-the-signs.pdf', alt_text: 'Poster with four common signs of trafficking and the national hotline number, on a blue background.', licence: 'Public domain (U.S. government work)' }, demo);
  await createMaterial(ctx, { title: 'Cartel: conozca las señales', kind: 'poster', audience: 'community', language: 'es', format: 'pdf', url: 'https://example.org/materials/conozca-las-senales.pdf', alt_text: 'Cartel con cuatro señales comunes de la trata y el número de la línea nacional, sobre fondo azul.', licence: 'Dominio público (obra del gobierno de EE. UU.)', translation_of: poster.id }, demo);
  const sheet = await createMaterial(ctx, { title: 'Fact sheet for students', kind: 'fact_sheet', audience: 'students', language: 'en', format: 'pdf', url: 'https://example.org/materials/fact-sheet.pdf', alt_text: 'Two-page fact sheet: what trafficking is, myths and facts, and where to get help.', licence: 'CC BY 4.0' }, demo);
  await createMaterial(ctx, { title: 'Hoja informativa para estudiantes', kind: 'fact_sheet', audience: 'students', language: 'es', format: 'pdf', url: 'https://example.org/materials/hoja-informativa.pdf', alt_text: 'Hoja informativa de dos páginas: qué es la trata, mitos y hechos, y dónde pedir ayuda.', licence: 'CC BY 4.0', translation_of: sheet.id }, demo);
  await createMaterial(ctx, { title: 'Public service announcement (30 seconds)', kind: 'psa', audience: 'community', language: 'en', format: 'mp4', url: 'https://example.org/materials/psa.mp4', transcript: 'Narrator: Anyone can be trafficked. Know the signs, and if you see something, call the national hotline.', licence: 'Public domain (U.S. government work)' }, demo);
  log('outreach: 4 lessons, 1 campaign with 3 groups, 4 events, 5 materials (demo)');
}
