import type { Ctx } from '../../platform/context.ts';
import { createUser, listUsers, loadActor } from '../../platform/auth/index.ts';
import { DEMO_PASSWORD } from '../../platform/seed.ts';
import { allPartnerships } from '../structure/index.ts';
import {
  createCode,
  createExcerpt,
  createMemo,
  createRecommendation,
  createSeries,
  createSession,
  publishFindings,
  register,
  submitInput,
  updateRecommendation,
} from './commands.ts';
import { PROVIDER_TYPES, REGIONS } from './schema.ts';
import { listInputs, listExcerpts, listCodes } from './store.ts';

const PARTNERSHIP = 'Housing and Social Services for Survivors of Trafficking';

// What providers told the demo sessions. Each input answers two to four questions, drawn from these lists.
const CHALLENGES = [
  'Our emergency shelter has 14 beds and we turn away three or four survivors a week. There is simply no bed to offer at 2 a.m. when law enforcement calls.',
  'Transitional housing waitlists in our county run eight to twelve months. Survivors leave the shelter after 90 days with nowhere safe to go.',
  'Landlords ask for credit history, rental history and a co-signer. Most of the survivors we serve have none of those, or have debts a trafficker put in their name.',
  'Criminal records from the trafficking situation still show up in background checks, and property managers screen people out before we can explain.',
  'We are the only provider in a five-county rural area. The nearest shelter bed is a two-hour drive and there is no public transit to get there.',
  'Our federal grant will not pay for rent beyond 24 months and cannot be used for security deposits, which is exactly what our clients need to move into a lease.',
  'Intake at each program repeats the same questions. Survivors tell their story five or six times to get a bed, a voucher and a case manager, and some give up.',
  'We serve many Spanish, Mandarin and Tagalog speakers, and interpreters are hard to find for housing appointments. Leases and notices are only in English.',
  'Domestic violence shelters in our region do not always accept labor trafficking survivors, and men and transgender survivors have almost no options at all.',
  'Funding comes in separate streams with different eligibility rules, so we spend staff time on paperwork instead of with clients.',
  'Survivors without identity documents cannot sign a lease or open a bank account. Getting replacement documents takes months.',
  'Youth aging out of foster care who were trafficked fall between systems: too old for youth shelters, not eligible for adult programs.',
  'Our coordinated entry scoring does not capture trafficking risk, so survivors are ranked lower than their danger would suggest.',
  'Rural landlords know everyone in town; confidentiality is very hard to protect when a survivor moves into a small community.',
  'Staff turnover is high. New case managers have not had training on trauma and the way traffickers control housing.',
  'Emergency hotel stays are our fallback, but the hotels in our area are also where trafficking happens, which is re-traumatizing.',
  'Housing authorities rarely know that trafficking survivors may qualify for emergency vouchers, so referrals stall.',
  'Foreign national survivors waiting on immigration relief cannot access many housing programs, and the wait for certification is long.',
  'Reimbursement-based grants mean we front the costs for months. Small organizations cannot carry that.',
  'Survivors with substance use disorders are turned away by sober-living and shelter rules, which pushes them back toward the trafficker.',
];

const PRACTICES = [
  'A dedicated housing navigator who builds relationships with landlords has been our single best investment. She places about two families a month.',
  'We use a landlord risk-mitigation fund that covers damages up to $2,000. It convinced several landlords to waive the credit check.',
  'Trauma-informed intake: one assessment shared, with consent, across partner agencies so survivors tell their story once.',
  'We keep two scattered-site apartments under master lease, so we can move someone in the same day without a landlord screening.',
  'Peer mentors with lived experience co-lead our support groups, and survivors tell us they trust the program because of them.',
  'Flexible funding from a private foundation lets us pay deposits, utility arrears and bus passes without a month of approvals.',
  'We translated our housing readiness materials into six languages and hired a bilingual case manager; engagement went up markedly.',
  'Mobile advocates drive to rural clients and meet them at libraries and clinics, which avoids the two-hour trip.',
  'A memorandum of understanding with the local housing authority gives our referrals a preference for emergency vouchers.',
  'Rapid rehousing paired with employment services helps clients keep their lease once the subsidy ends.',
  'We train property managers on what trafficking looks like and on fair housing protections, and they now call us first.',
  'Offering choice in housing type and location matters: some survivors want to be near family, others need to be far away for safety.',
];

const POLICY = [
  'Allow grant funds to cover security deposits, application fees and the first month’s rent.',
  'Extend the limit on rental assistance beyond 24 months for survivors who are still rebuilding credit and income.',
  'Add trafficking to the priority criteria in coordinated entry so risk is scored properly.',
  'Let survivors use a self-attestation or a service provider letter instead of police reports to qualify for housing programs.',
  'Combine or align federal funding streams so one application and one report cover housing and services.',
  'Require shelters funded by federal grants to accept survivors of labor trafficking and survivors of all genders.',
  'Expunge or seal trafficking-related records so they stop blocking housing applications.',
  'Make emergency housing vouchers available to foreign national survivors while certification is pending.',
];

const TA = [
  'We need training on trauma-informed housing practice for new staff, ideally short online modules we can repeat.',
  'Technical assistance on how to braid HUD and HHS funding without breaking the rules of either.',
  'Help negotiating master leases and understanding liability for scattered-site housing.',
  'Templates for memoranda of understanding with housing authorities and landlord agreements.',
  'Guidance on language access: interpreter contracts, translated lease addenda and plain-language notices.',
  'Coaching on data collection that protects confidentiality while meeting grant reporting requirements.',
  'Rural-specific technical assistance: transportation, remote case management and working with small landlords.',
];

const OUTREACH = [
  'Outreach to landlords through apartment associations, explaining the support we provide after move-in.',
  'Public awareness in Spanish and other languages, through community radio and faith groups.',
  'Outreach to rural clinics, schools and county offices so they know who to call.',
  'Reach housing authority staff with short briefings on survivor eligibility for vouchers.',
  'Engage survivors with lived experience to design outreach materials that do not shame or frighten.',
  'Partner with workforce centers so employers and job coaches can refer survivors to housing help.',
];

// Local colour, added to some answers so that no two providers sound exactly alike.
const LOCAL: Record<string, string[]> = {
  northeast: ['Rents in our metro area rose again this year, and vouchers do not cover the difference.', 'Winter makes every night without a bed dangerous.'],
  southeast: ['After the last hurricane, the few affordable units left were taken by displaced families.', 'Many of our clients worked in agriculture or hospitality and were housed by the employer.'],
  midwest: ['On the reservation and in the small towns around it, everyone knows each other’s business.', 'Our state program ends assistance the day a client finds a job, even a part-time one.'],
  southwest: ['Near the border, many survivors fear that asking for help will expose their immigration status.', 'Summer heat makes unsheltered nights life-threatening.'],
  west: ['Vacancy rates are below two percent here, so landlords can pick anyone.', 'Wildfire evacuations last year pushed people into the same hotels traffickers use.'],
};

const NAMES = ['Maria Lopez', 'James Carter', 'Aisha Rahman', 'Tom Nguyen', 'Rosa Jimenez', 'Dana Whitehorse', 'Kevin O’Brien', 'Lena Park'];

/** Codes with the words that make the demo coders apply them. */
const CODEBOOK: { name: string; description: string; words: RegExp; children?: { name: string; words: RegExp }[] }[] = [
  {
    name: 'Shelter and housing capacity',
    description: 'Not enough beds, units or vouchers; waiting lists.',
    words: /\bbeds?\b|waitlist|wait for|shelter|vouchers?|nowhere/i,
    children: [
      { name: 'Emergency shelter', words: /emergency shelter|\bbeds?\b|hotel/i },
      { name: 'Transitional housing', words: /transitional|rapid rehousing|scattered-site|master lease/i },
    ],
  },
  { name: 'Landlord engagement', description: 'Screening barriers and work with landlords and property managers.', words: /landlord|property manager|lease|credit/i },
  { name: 'Trauma-informed practice', description: 'Practice that avoids re-traumatising survivors.', words: /trauma|re-traumatiz|story|peer mentor|lived experience|choice/i },
  { name: 'Language access', description: 'Interpretation, translation and culturally specific services.', words: /spanish|language|interpret|translat|bilingual|mandarin/i },
  { name: 'Rural gaps', description: 'Distance, transport and confidentiality outside cities.', words: /rural|county|drive|transit|small community/i },
  { name: 'Funding rules', description: 'Eligibility, allowable costs and reporting across funding streams.', words: /fund|grant|reimburse|deposit|24 months|paperwork|braid/i },
];

function regionOf(i: number): string {
  return REGIONS[(i * 5 + 1) % (REGIONS.length - 1)];
}

function typeOf(i: number): string {
  const pool = ['victim_service_provider', 'housing_provider', 'shelter', 'victim_service_provider', 'legal_services', 'health_provider', 'housing_provider', 'workforce', 'government'] as const;
  const t = pool[(i * 7 + 3) % pool.length];
  return PROVIDER_TYPES.includes(t) ? t : 'other';
}

function addDays(d: Date, n: number): string {
  return new Date(d.getTime() + n * 86400_000).toISOString().slice(0, 10);
}

async function demoAnalysts(ctx: Ctx): Promise<{ id: string }[]> {
  const users = await listUsers(ctx.db);
  const wanted = [
    { email: 'analyst@demo.taskforce.example', name: 'Demo Analyst', organization: 'Department of Justice' },
    { email: 'analyst2@demo.taskforce.example', name: 'Demo Second Analyst', organization: 'Department of Housing and Urban Development' },
  ];
  const out: { id: string }[] = [];
  for (const w of wanted) {
    const found = users.find((u) => u.email === w.email);
    out.push(found ?? (await createUser(ctx, { ...w, role: 'analyst', password: DEMO_PASSWORD })));
  }
  return out;
}

/**
 * Demo data: the housing partnership's series of three sessions (two held, one upcoming and open for
 * registration), about sixty provider inputs, a codebook applied by two analysts who disagree now and then,
 * published findings and recommendations, one of them done.
 */
export async function seedListening(ctx: Ctx, log: (line: string) => void, now = new Date()): Promise<void> {
  const partnership = (await allPartnerships(ctx.db)).find((p) => p.name === PARTNERSHIP);
  if (!partnership) {
    log('listening: the housing partnership is not in the structure; demo series skipped');
    return;
  }
  const series = await createSeries(ctx, {
    title: 'National listening sessions on housing for survivors of trafficking',
    description: 'HHS and HUD hear from housing and social service providers about the challenges in meeting survivors’ needs for safe housing, what works, and what should change.',
    owner_type: 'partnership',
    owner_id: partnership.id,
    reminder_days: 2,
  });
  const plans = [
    { title: 'Session 1: Emergency and transitional housing', offset: -60, zone: 'America/New_York', format: 'virtual', inputs: 22 },
    { title: 'Session 2: Rural and tribal communities', offset: -30, zone: 'America/Chicago', format: 'hybrid', inputs: 20 },
    { title: 'Session 3: Working with landlords and housing authorities', offset: 21, zone: 'America/Los_Angeles', format: 'in_person', inputs: 18 },
  ];
  const sessions = [];
  for (const [k, p] of plans.entries()) {
    const s = await createSession(ctx, series.id, {
      title: p.title,
      date: addDays(now, p.offset),
      start_time: '13:00',
      end_time: '14:30',
      time_zone: p.zone,
      format: p.format,
      location: p.format === 'virtual' ? undefined : k === 1 ? 'County Extension Office, Room 2, Bemidji, MN' : 'HUD Regional Office, 1 Sansome Street, San Francisco, CA',
      online_url: p.format === 'in_person' ? undefined : 'https://meet.example.gov/listening-housing',
      audience_provider_types: ['victim_service_provider', 'housing_provider', 'shelter'],
      audience_regions: k === 1 ? ['midwest', 'west'] : [],
      capacity: 40,
      reserved_places: 5,
      registration_opens_at: new Date(now.getTime() + (p.offset - 45) * 86400_000).toISOString(),
      agenda: [{ title: 'Welcome and purpose', minutes: 10 }, { title: 'Challenges providers face', minutes: 30 }, { title: 'What works', minutes: 25 }, { title: 'Recommendations and next steps', minutes: 25 }],
    });
    sessions.push(s);
    if (p.offset > 0) {
      for (let r = 0; r < 6; r++) {
        await register(ctx, s.id, { name: `Demo Registrant ${r + 1}`, email: `registrant${r + 1}@provider.example`, organization: `Demo Provider ${r + 1}`, organization_type: typeOf(r), region: regionOf(r) }, { now });
      }
    }
    log(`listening: session ${k + 1}/${plans.length}`);
  }

  let n = 0;
  for (const [k, p] of plans.entries()) {
    for (let j = 0; j < p.inputs; j++, n++) {
      const local = LOCAL[regionOf(n)];
      const answers: Record<string, string> = { challenges: CHALLENGES[(n * 3) % CHALLENGES.length] + (local && n % 2 === 1 ? ' ' + local[n % local.length] : '') };
      if (n % 2 === 0) answers.best_practices = PRACTICES[(n * 5) % PRACTICES.length];
      if (n % 3 !== 1) answers.policy_changes = POLICY[n % POLICY.length];
      if (n % 4 === 0) answers.technical_assistance = TA[n % TA.length];
      if (n % 5 === 2) answers.outreach = OUTREACH[n % OUTREACH.length];
      const named = n % 9 === 0;
      await submitInput(ctx, sessions[k].id, { organization_type: typeOf(n), region: regionOf(n), participant_name: named ? NAMES[n % NAMES.length] : undefined, attribution: named, quotable: n % 4 !== 3, answers });
    }
    log(`listening: inputs for session ${k + 1}/${plans.length}`);
  }
  await submitInput(ctx, sessions[0].id, {
    kind: 'notes',
    answers: { challenges: 'Facilitator notes: most participants raised bed shortages and long transitional housing waitlists; several raised landlord screening and deposits.' },
  });

  // The codebook, then two analysts code every answer on their own.
  const codeIds = new Map<string, string>();
  for (const c of CODEBOOK) {
    const code = await createCode(ctx, series.id, { name: c.name, description: c.description });
    codeIds.set(c.name, code.id);
    for (const child of c.children ?? []) codeIds.set(child.name, (await createCode(ctx, series.id, { name: child.name, parent_id: code.id })).id);
  }
  const analysts = await demoAnalysts(ctx);
  const actors = await Promise.all(analysts.map((a) => loadActor(ctx.db, a.id, 'session')));
  const { items: inputs } = await listInputs(ctx.db, { seriesId: series.id });
  for (const [ai, actor] of actors.entries()) {
    if (!actor) continue;
    const coder: Ctx = { ...ctx, actor };
    let a = 0;
    for (const input of inputs) {
      for (const answer of input.answers) {
        a++;
        const codes: string[] = [];
        for (const c of CODEBOOK) {
          const child = (c.children ?? []).find((x) => x.words.test(answer.text));
          if (child) codes.push(codeIds.get(child.name)!);
          else if (c.words.test(answer.text)) codes.push(codeIds.get(c.name)!);
        }
        // The second analyst reads some answers differently: now and then they leave a code out or add
        // trauma-informed practice where the first did not.
        let mine = codes;
        if (ai === 1 && a % 6 === 0 && codes.length > 1) mine = codes.slice(1);
        if (ai === 1 && a % 11 === 0 && !codes.includes(codeIds.get('Trauma-informed practice')!)) mine = [...codes, codeIds.get('Trauma-informed practice')!];
        if (!mine.length) continue;
        // The first sentence as the excerpt, when it stands on its own; else the whole answer.
        const first = /^[^.!?]+[.!?]/.exec(answer.text)?.[0];
        const quote = first && first.length >= 40 && ai === 0 ? first : undefined;
        await createExcerpt(coder, series.id, { answer_id: answer.id, quote, code_ids: mine });
      }
    }
    log(`listening: coding by analyst ${ai + 1}/${actors.length}`);
  }
  await createMemo(ctx, series.id, { code_id: codeIds.get('Funding rules'), text: 'Deposits and the 24-month limit come up in every session; consider splitting this code into allowable costs and time limits.' });

  // Recommendations, each citing excerpts of its finding.
  const codes = await listCodes(ctx.db, series.id);
  const { items: excerpts } = await listExcerpts(ctx.db, { seriesId: series.id });
  const citing = (theme: string) => {
    const ids = new Set([theme, ...codes.filter((c) => c.parent_id === codeIds.get(theme)).map((c) => c.id)].map((x) => codeIds.get(x) ?? x));
    return excerpts.filter((e) => e.code_ids.some((c) => ids.has(c))).slice(0, 3).map((e) => e.id);
  };
  const hhs = partnership.id;
  const recs = [
    { title: 'Allow grant funds to pay security deposits and application fees', type: 'policy', theme: 'Funding rules', status: 'done', progress: 100 },
    { title: 'Landlord engagement toolkit and risk-mitigation fund guidance', type: 'technical_assistance', theme: 'Landlord engagement', status: 'in_progress', progress: 40 },
    { title: 'Brief housing authorities on survivor eligibility for emergency vouchers', type: 'outreach', theme: 'Shelter and housing capacity', status: 'accepted', progress: 10 },
    { title: 'Translate model lease addenda and notices into the five most requested languages', type: 'technical_assistance', theme: 'Language access', status: 'proposed', progress: 0 },
  ];
  for (const r of recs) {
    let rec = await createRecommendation(ctx, series.id, { title: r.title, type: r.type, finding_code_id: codeIds.get(r.theme), owner_type: 'partnership', owner_id: hhs, excerpt_ids: citing(r.theme) });
    if (r.status !== 'proposed') rec = await updateRecommendation(ctx, rec.id, { version: rec.version, status: 'accepted', note: 'Accepted by the partnership leads.' });
    if (r.status === 'in_progress' || r.status === 'done') rec = await updateRecommendation(ctx, rec.id, { version: rec.version, status: 'in_progress', progress: r.status === 'done' ? 70 : r.progress });
    if (r.status === 'done') rec = await updateRecommendation(ctx, rec.id, { version: rec.version, status: 'done', note: 'Guidance issued to grantees.' });
  }
  await publishFindings(ctx, series.id);
  log('listening: findings published, recommendations tracked');
}
