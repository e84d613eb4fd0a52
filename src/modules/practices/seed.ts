/**
 * Demo data, clearly marked as demo: invented practices and studies (each flagged `demo`, named "(demo)", with a
 * source saying so), enough to show every rating, a reconciled disagreement and each kind of link. No rating here is
 * attributed to CLEAR, CrimeSolutions or the Title IV-E Prevention Services Clearinghouse.
 */
import type { Ctx } from '../../platform/context.ts';
import { getUserByEmail, loadActor } from '../../platform/auth/index.ts';
import type { Log } from '../../platform/module.ts';
import { searchServices } from '../directory/index.ts';
import { listRecommendations } from '../listening/index.ts';
import { listWorkplanItems } from '../workplans/index.ts';
import * as commands from './commands.ts';

const SOURCE = 'Invented for the demo; not from any clearinghouse.';

type StudySeed = { title: string; authors: string; year: number; design: string; sample_size?: number; outcomes: { domain: string; measure: string; direction: string; significant: boolean; effect_size?: number; follow_up_months?: number }[]; ratings: [string, string]; settle?: { rating: string; reason: string } };

const PRACTICES: { practice: Record<string, unknown>; studies: StudySeed[]; links?: ('service' | 'recommendation' | 'series' | 'workplan_item')[] }[] = [
  {
    practice: {
      name: 'Sector job training with trauma-informed coaching (demo)',
      summary: 'Occupational training in a growing sector (health care, logistics), each trainee paired with a coach trained in trauma-informed care who also helps with documents and child care.',
      components: 'Twelve weeks of sector training; weekly coaching; employer partnerships with paid work experience; follow-up for a year after placement.',
      populations: ['population.adults', 'population.foreign-nationals'],
      setting: 'workplace',
      outcome_domains: ['employment', 'earnings'],
      cost: 'About $6,500 per participant (demo figure).',
      resources: [{ kind: 'manual', title: 'Coach manual (demo)' }, { kind: 'fidelity', title: 'Coaching fidelity checklist (demo)' }],
      contact_name: 'Demo Programme Office',
      source: SOURCE,
    },
    links: ['service', 'recommendation', 'series', 'workplan_item'],
    studies: [
      { title: 'Sector training for survivors: a randomised trial (demo)', authors: 'Demo, Author A; Demo, Author B', year: 2023, design: 'randomised', sample_size: 480, outcomes: [{ domain: 'employment', measure: 'Employed at 12 months', direction: 'favourable', significant: true, effect_size: 0.22, follow_up_months: 12 }, { domain: 'earnings', measure: 'Quarterly earnings', direction: 'none', significant: false }], ratings: ['high', 'high'] },
      { title: 'Coaching and job retention: a comparison-group study (demo)', authors: 'Demo, Author C', year: 2021, design: 'quasi_experimental', sample_size: 300, outcomes: [{ domain: 'employment', measure: 'Employed at 6 months', direction: 'favourable', significant: true, effect_size: 0.15, follow_up_months: 6 }], ratings: ['moderate', 'low'], settle: { rating: 'moderate', reason: 'Baseline equivalence was shown for employment history (demo).' } },
    ],
  },
  {
    practice: {
      name: 'Rapid re-housing with employment navigation (demo)',
      summary: 'Short-term rental help and a housing locator, with a navigator who connects the tenant to job services.',
      populations: ['population.adults', 'population.women'],
      setting: 'residential',
      outcome_domains: ['housing_stability', 'employment'],
      source: SOURCE,
    },
    links: ['service'],
    studies: [{ title: 'Housing stability after rapid re-housing (demo)', authors: 'Demo, Author D', year: 2022, design: 'quasi_experimental', sample_size: 210, outcomes: [{ domain: 'housing_stability', measure: 'Stably housed at 12 months', direction: 'favourable', significant: true, effect_size: 0.3, follow_up_months: 12 }, { domain: 'employment', measure: 'Any employment', direction: 'favourable', significant: false }], ratings: ['moderate', 'moderate'] }],
  },
  {
    practice: {
      name: 'Peer mentoring circles (demo)',
      summary: 'Monthly circles led by trained survivor mentors.',
      populations: ['population.adults'],
      setting: 'community',
      outcome_domains: ['well_being'],
      source: SOURCE,
    },
    studies: [
      { title: 'Peer mentoring and well-being: a randomised trial (demo)', authors: 'Demo, Author E', year: 2020, design: 'randomised', sample_size: 150, outcomes: [{ domain: 'well_being', measure: 'Well-being scale', direction: 'favourable', significant: false, effect_size: 0.05 }], ratings: ['high', 'high'] },
      { title: 'Peer mentoring before and after (demo)', authors: 'Demo, Author F', year: 2019, design: 'pre_post', outcomes: [{ domain: 'well_being', measure: 'Well-being scale', direction: 'favourable', significant: true }], ratings: ['low', 'low'] },
    ],
  },
  {
    practice: {
      name: 'Mandatory group orientation before job placement (demo)',
      summary: 'Required group sessions before any placement, as a condition of services.',
      populations: ['population.adults'],
      setting: 'workplace',
      outcome_domains: ['employment'],
      source: SOURCE,
    },
    studies: [{ title: 'Delayed placement and employment (demo)', authors: 'Demo, Author G', year: 2018, design: 'quasi_experimental', sample_size: 260, outcomes: [{ domain: 'employment', measure: 'Employed at 6 months', direction: 'unfavourable', significant: true, effect_size: -0.12, follow_up_months: 6 }], ratings: ['moderate', 'moderate'] }],
  },
  {
    practice: {
      name: 'Legal clinic partnerships for immigration relief (demo)',
      summary: 'Job centres host a weekly legal clinic that screens for T visas and Continued Presence.',
      populations: ['population.foreign-nationals'],
      setting: 'justice',
      outcome_domains: ['legal_status', 'service_access'],
      source: SOURCE,
    },
    studies: [{ title: 'Implementing on-site legal clinics (demo)', authors: 'Demo, Author H', year: 2024, design: 'implementation', outcomes: [{ domain: 'legal_status', measure: 'Applications filed', direction: 'favourable', significant: false }], ratings: ['low', 'low'] }],
  },
];

async function personCtx(ctx: Ctx, email: string): Promise<Ctx | undefined> {
  const u = await getUserByEmail(ctx.db, email);
  if (!u) return undefined;
  const actor = await loadActor(ctx.db, u.id, 'session');
  return actor ? { ...ctx, actor, system: undefined, requestId: 'seed' } : undefined;
}

async function linkTargets(ctx: Ctx): Promise<Record<string, string | undefined>> {
  const services = await searchServices(ctx.db, ctx.dbKind, { q: 'employment', page: 1, perPage: 1, vetted: false, facets: false });
  const recs = await listRecommendations(ctx.db, {}, 1, 0);
  const items = (await listWorkplanItems(ctx.db)).filter((i) => i.kind === 'action');
  return { service: services.hits[0]?.serviceId, recommendation: recs.items[0]?.id, series: recs.items[0]?.series_id, workplan_item: items[0]?.id };
}

export async function seedPractices(ctx: Ctx, log: Log): Promise<void> {
  const reviewers = [await personCtx(ctx, 'analyst@demo.taskforce.example'), await personCtx(ctx, 'chair@demo.taskforce.example')];
  const lead = await personCtx(ctx, 'admin@demo.taskforce.example');
  const targets = await linkTargets(ctx);
  for (const { practice, studies, links } of PRACTICES) {
    const p = await commands.createPractice(ctx, { ...practice, demo: true });
    for (const s of studies) {
      const { ratings, settle, ...fields } = s;
      const study = await commands.createStudy(ctx, p.id, fields);
      for (const [i, r] of reviewers.entries()) if (r) await commands.reviewStudy(r, study.id, { rating: ratings[i], notes: 'Demo review.' });
      if (settle && lead) await commands.reconcileStudy(lead, study.id, settle);
    }
    for (const kind of links ?? []) {
      const id = targets[kind];
      if (id) await commands.addLink(ctx, p.id, { kind, target_id: id });
    }
  }
  const member = await personCtx(ctx, 'member@demo.taskforce.example');
  if (member) await commands.nominate(member, { name: 'Employer mentoring for young adults (demo)', summary: 'Employers assign a workplace mentor to each young adult hired through a survivor programme.', materials: 'Mentor guide (demo).', outcome_domains: ['employment', 'education'], organization_name: 'Demo Agency' });
  log(`practices: ${PRACTICES.length} demo practices with studies, reviews and links; one nomination waiting`);
}
