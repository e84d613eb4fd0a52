import type { Ctx } from '../../platform/context.ts';
import { listOrganizations } from '../../platform/auth/index.ts';
import { createAgency, createBody, createPartnership, linkAgencyOrganization } from './commands.ts';
import type { AgencyKind, MemberIn } from './schema.ts';

/** The Trafficking Victims Protection Act of 2000 (which created the task force, 22 U.S.C. 7103) was enacted on this day. */
const TVPA_DATE = '2000-10-28';

interface AgencySeed {
  key: string;
  name: string;
  abbreviation: string;
  kind: AgencyKind;
  website: string;
  parent?: string;
  member: boolean;
}

// The seed page says "15 departments and agencies" without naming them. The fifteen below follow the last full
// roster published on state.gov (2009–2017, domain.md §1.2), leaving out the White House offices (DPC, NSS, OMB)
// and the FBI, which is part of DOJ. The current task force is larger (20 agencies): these are ordinary, editable
// records with effective dates, not a fixed list, so the roster can be brought up to date by an administrator.
const AGENCIES: AgencySeed[] = [
  { key: 'DOS', name: 'Department of State', abbreviation: 'DOS', kind: 'department', website: 'https://www.state.gov', member: true },
  { key: 'Treasury', name: 'Department of the Treasury', abbreviation: 'Treasury', kind: 'department', website: 'https://home.treasury.gov', member: true },
  { key: 'DOD', name: 'Department of Defense', abbreviation: 'DOD', kind: 'department', website: 'https://www.defense.gov', member: true },
  { key: 'DOJ', name: 'Department of Justice', abbreviation: 'DOJ', kind: 'department', website: 'https://www.justice.gov', member: true },
  { key: 'DOI', name: 'Department of the Interior', abbreviation: 'DOI', kind: 'department', website: 'https://www.doi.gov', member: true },
  { key: 'USDA', name: 'Department of Agriculture', abbreviation: 'USDA', kind: 'department', website: 'https://www.usda.gov', member: true },
  { key: 'DOL', name: 'Department of Labor', abbreviation: 'DOL', kind: 'department', website: 'https://www.dol.gov', member: true },
  { key: 'HHS', name: 'Department of Health and Human Services', abbreviation: 'HHS', kind: 'department', website: 'https://www.hhs.gov', member: true },
  { key: 'DOT', name: 'Department of Transportation', abbreviation: 'DOT', kind: 'department', website: 'https://www.transportation.gov', member: true },
  { key: 'ED', name: 'Department of Education', abbreviation: 'ED', kind: 'department', website: 'https://www.ed.gov', member: true },
  { key: 'DHS', name: 'Department of Homeland Security', abbreviation: 'DHS', kind: 'department', website: 'https://www.dhs.gov', member: true },
  { key: 'USAID', name: 'U.S. Agency for International Development', abbreviation: 'USAID', kind: 'agency', website: 'https://www.usaid.gov', member: true },
  { key: 'EEOC', name: 'Equal Employment Opportunity Commission', abbreviation: 'EEOC', kind: 'agency', website: 'https://www.eeoc.gov', member: true },
  { key: 'ODNI', name: 'Office of the Director of National Intelligence', abbreviation: 'ODNI', kind: 'office', website: 'https://www.dni.gov', member: true },
  { key: 'USTR', name: 'Office of the U.S. Trade Representative', abbreviation: 'USTR', kind: 'office', website: 'https://ustr.gov', member: true },
  // Not members of the task force in their own right.
  { key: 'OTIP', name: 'Office on Trafficking in Persons', abbreviation: 'OTIP', kind: 'office', website: 'https://www.acf.hhs.gov/otip', parent: 'HHS', member: false },
  { key: 'HUD', name: 'Department of Housing and Urban Development', abbreviation: 'HUD', kind: 'department', website: 'https://www.hud.gov', member: false },
  { key: 'CEO', name: 'Chief Evaluation Office', abbreviation: 'CEO', kind: 'office', website: 'https://www.dol.gov/agencies/oasp/evaluation', parent: 'DOL', member: false },
];

// Charters paraphrase the ACF/OTIP federal-collaboration page (domain.md §1.3); names are as on the seed page.
const COMMITTEES: { name: string; charter: string; coChairHhs: boolean }[] = [
  {
    name: 'Victims Services',
    charter:
      'Coordinates implementation of the Federal Strategic Action Plan on Services for Victims of Human Trafficking in the United States (2013–2017), working to identify more victims and to strengthen the services available to them.',
    coChairHhs: true,
  },
  { name: 'Research and Data', charter: 'Coordinates federal statistics, research and data collection on human trafficking.', coChairHhs: false },
  { name: 'Grant making', charter: 'Coordinates federal anti-trafficking programming and grant making across member agencies.', coChairHhs: false },
  { name: 'Public Awareness and Outreach', charter: 'Coordinates government-wide messaging and public engagement on human trafficking.', coChairHhs: true },
];

// The demo accounts' organisations (platform/seed.ts, DEMO_USERS: made before the modules' demo data) and the agencies
// their accounts act for. Organisations that do not exist (a test seeding the structure alone) are left out.
const DEMO_LINKS: [organization: string, agency: string][] = [
  ['Office on Trafficking in Persons (HHS)', 'HHS'],
  ['Department of Labor', 'DOL'],
  ['Department of Justice', 'DOJ'],
];

type PartnerSeed = { agency: string } | { name: string; website: string };

const PARTNERSHIPS: { name: string; purpose: string; goals: string[]; partners: PartnerSeed[] }[] = [
  {
    name: 'Housing and Social Services for Survivors of Trafficking',
    purpose:
      'HHS and the U.S. Department of Housing and Urban Development address the need for housing and social services for survivors of trafficking through national listening sessions and policy development. This partnership brings social service and housing providers together.',
    goals: [
      'Understand the challenges in meeting the needs of survivors and those at risk of trafficking for safe and appropriate housing and support services',
      'Recognize best practices in housing and support services for trafficking survivors',
      'Help identify potential changes in policy, technical assistance, outreach, or other areas to help providers to meet the needs of this population',
    ],
    partners: [{ agency: 'HHS' }, { agency: 'HUD' }],
  },
  {
    name: 'Youth Engagement and Awareness',
    purpose:
      "HHS and the U.S. Department of Education partner with the National Trust for Historic Preservation in the United States and President Lincoln's Cottage to develop an advocacy toolkit that encourages young people to raise awareness about human trafficking through student voices, activism, and advocacy.",
    goals: ['Increase youth engagement in preventing and ending human trafficking', 'Raise public awareness about the issue of human trafficking'],
    partners: [
      { agency: 'HHS' },
      { agency: 'ED' },
      { name: 'National Trust for Historic Preservation in the United States', website: 'https://savingplaces.org' },
      { name: "President Lincoln's Cottage", website: 'https://www.lincolncottage.org' },
    ],
  },
  {
    name: 'Employment and Training for Survivors of Human Trafficking',
    purpose:
      'One of the critical elements of a survivor’s recovery and the prevention of re-victimization is their ability to find and keep a job. However, this population faces unique barriers to employment.',
    goals: [
      'Identify existing service programs designed for general populations but that survivors could access',
      'Build on existing relationships between federal and local entities',
      'Develop employment and training focused networks between victim service providers and existing resources at a local level',
      'Work with the Department of Labor Chief Evaluation Office to disseminate information on promising practices and key challenges in service delivery for this population',
    ],
    partners: [{ agency: 'HHS' }, { agency: 'DOJ' }, { agency: 'DOL' }],
  },
];

/** Loads the structure described on the seed page (federal-interagency-task-force.txt). Runs once. */
export async function seedStructure(ctx: Ctx, log: (line: string) => void): Promise<void> {
  const already = await ctx.db.selectFrom('structure_agencies').select('id').executeTakeFirst();
  if (already) {
    log('structure: already has data; skipping');
    return;
  }
  const ids = new Map<string, string>();
  for (const [i, a] of AGENCIES.entries()) {
    const created = await createAgency(ctx, {
      name: a.name,
      abbreviation: a.abbreviation,
      kind: a.kind,
      website: a.website,
      parent_id: a.parent ? ids.get(a.parent) : null,
      member_from: a.member ? TVPA_DATE : null,
    });
    ids.set(a.key, created.id);
    log(`structure: agencies ${i + 1}/${AGENCIES.length}`);
  }
  const id = (key: string) => ids.get(key)!;
  const organizations = new Map((await listOrganizations(ctx.db)).map((o) => [o.name, o.id]));
  for (const [organization, agency] of DEMO_LINKS) {
    const organizationId = organizations.get(organization);
    if (organizationId) await linkAgencyOrganization(ctx, id(agency), { organization_id: organizationId });
  }
  log('structure: account organisations linked to agencies');
  const memberKeys = AGENCIES.filter((a) => a.member).map((a) => a.key);
  const fullMembership = (representedBy: Record<string, string> = {}): MemberIn[] =>
    memberKeys.map((k) => ({ agency_id: id(k), role: k === 'DOS' ? 'chair' : 'member', represented_by_id: representedBy[k] ? id(representedBy[k]) : null }));

  const pitf = await createBody(
    ctx,
    {
      name: 'President’s Interagency Task Force to Monitor and Combat Trafficking',
      slug: 'pitf',
      charter:
        'Coordinates U.S. government-wide efforts to combat trafficking in persons, and the implementation of the Trafficking Victims Protection Act (22 U.S.C. 7103).',
      chair_title: 'Secretary of State',
      parent_id: null,
      active_from: TVPA_DATE,
      members: fullMembership(),
    },
    { kind: 'task_force' },
  );
  log('structure: task force');
  const spog = await createBody(
    ctx,
    {
      name: 'Senior Policy Operating Group',
      slug: 'spog',
      charter:
        'Senior officials designated by the task force members coordinate federal anti-trafficking policies, including grants and grant policies (22 U.S.C. 7103(g)).',
      chair_title: 'Director of the Department of State’s Office to Monitor and Combat Trafficking in Persons',
      parent_id: pitf.id,
      members: fullMembership({ HHS: 'OTIP' }),
    },
    { kind: 'policy_group' },
  );
  log('structure: policy operating group');
  for (const [i, c] of COMMITTEES.entries()) {
    await createBody(ctx, {
      name: c.name,
      charter: c.charter,
      parent_id: spog.id,
      members: c.coChairHhs ? [{ agency_id: id('HHS'), role: 'co_chair' }] : [],
    });
    log(`structure: committees ${i + 1}/${COMMITTEES.length}`);
  }
  for (const [i, s] of PARTNERSHIPS.entries()) {
    await createPartnership(ctx, {
      name: s.name,
      purpose: s.purpose,
      goals: s.goals,
      lead_agency_id: id('HHS'),
      status: 'active',
      partners: s.partners.map((x) => ('agency' in x ? { agency_id: id(x.agency) } : { name: x.name, website: x.website })),
    });
    log(`structure: partnerships ${i + 1}/${PARTNERSHIPS.length}`);
  }
}
