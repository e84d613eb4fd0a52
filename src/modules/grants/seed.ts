/**
 * Demo data, every name marked "[Demo]": the committee's starting watch list (real Assistance Listings and
 * keywords, to be checked on SAM.gov and edited), plans of three agencies (DOJ, HHS, DOL), notices, a small extract
 * imported through the real importer, and awards in a few states.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from '../../platform/context.ts';
import { allAgencies } from '../structure/index.ts';
import { addWatch, createAward, createPlan, fileNotice, importExtract, reviewPlan } from './commands.ts';
import { EXTRACT_NS } from './extract.ts';
import { fiscalYearOf, listWatch, today } from './store.ts';

const WATCH = [
  { kind: 'listing', value: '16.320' }, // DOJ OVC: Services for Victims of Human Trafficking
  { kind: 'listing', value: '93.598' }, // HHS ACF: Services to Victims of a Severe Form of Trafficking
  { kind: 'keyword', value: 'human trafficking' },
  { kind: 'keyword', value: 'trafficked' },
  { kind: 'keyword', value: 't visa' },
  { kind: 'keyword', value: 'forced labor' },
];

const mmddyyyy = (iso: string) => `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(0, 4)}`;
const plus = (iso: string, days: number) => new Date(Date.parse(iso + 'T00:00:00Z') + days * 86_400_000).toISOString().slice(0, 10);

function demoExtract(fy: number, now: string): string {
  const rec = (tag: string, f: Record<string, string | string[]>) =>
    `<${tag}>${Object.entries(f)
      .flatMap(([k, v]) => [v].flat().map((x) => `<${k}>${x.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${k}>`))
      .join('')}</${tag}>`;
  const S = 'OpportunitySynopsisDetail_1_0';
  const F = 'OpportunityForecastDetail_1_0';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="${EXTRACT_NS}">\n${[
    rec(S, { OpportunityID: '990001', OpportunityTitle: `[Demo] FY ${fy} Services for Victims of Human Trafficking`, OpportunityNumber: `O-OVC-${fy}-DEMO1`, OpportunityCategory: 'D', FundingInstrumentType: 'G', CFDANumbers: '16.320', EligibleApplicants: ['12', '25'], AgencyCode: 'USDOJ-OJP-OVC', AgencyName: 'Office for Victims of Crime', PostDate: mmddyyyy(now), CloseDate: mmddyyyy(plus(now, 60)), LastUpdatedDate: mmddyyyy(now), AwardCeiling: '750000', AwardFloor: '250000', EstimatedTotalProgramFunding: '9000000', ExpectedNumberOfAwards: '12', Description: 'Demo record: comprehensive and specialized services for survivors of human trafficking.', AdditionalInformationURL: 'https://www.grants.gov/' }),
    rec(F, { OpportunityID: '990002', OpportunityTitle: `[Demo] FY ${fy} Aspire: Services to Victims of a Severe Form of Trafficking`, OpportunityNumber: `HHS-${fy}-ACF-OTIP-DEMO2`, OpportunityCategory: 'D', FundingInstrumentType: 'CA', CFDANumbers: '93.598', EligibleApplicants: '25', AgencyCode: 'HHS-ACF-OTIP', AgencyName: 'Administration for Children and Families - OTIP', EstimatedSynopsisPostDate: mmddyyyy(plus(now, 30)), EstimatedSynopsisCloseDate: mmddyyyy(plus(now, 90)), FiscalYear: String(fy), LastUpdatedDate: mmddyyyy(now), EstimatedTotalProgramFunding: '4500000', ExpectedNumberOfAwards: '6', Description: 'Demo forecast: case management for foreign national survivors.' }),
    rec(S, { OpportunityID: '990003', OpportunityTitle: '[Demo] Worker outreach against forced labor', OpportunityNumber: `DOL-${fy}-ILAB-DEMO3`, OpportunityCategory: 'D', FundingInstrumentType: 'G', CFDANumbers: '17.401', EligibleApplicants: '25', AgencyCode: 'DOL-ILAB', AgencyName: 'Bureau of International Labor Affairs', PostDate: mmddyyyy(now), CloseDate: mmddyyyy(plus(now, 45)), LastUpdatedDate: mmddyyyy(now), Description: 'Demo record: outreach to workers at risk of forced labor.' }),
    rec(S, { OpportunityID: '990004', OpportunityTitle: '[Demo] Rural road maintenance', OpportunityCategory: 'D', FundingInstrumentType: 'G', CFDANumbers: '20.205', AgencyName: 'Federal Highway Administration', CloseDate: mmddyyyy(plus(now, 30)), LastUpdatedDate: mmddyyyy(now), Description: 'Demo record outside the watch list: it is not kept.' }),
  ].join('\n')}\n</Grants>\n`;
}

export async function seedGrants(ctx: Ctx, log: (line: string) => void): Promise<void> {
  if ((await listWatch(ctx.db)).length === 0) for (const w of WATCH) await addWatch(ctx, w);
  const agencies = await allAgencies(ctx.db);
  const id = (abbr: string) => agencies.find((a) => a.abbreviation === abbr)?.id;
  const [doj, hhs, dol] = [id('DOJ'), id('HHS'), id('DOL')];
  if (!doj || !hhs || !dol) {
    log('grants: demo data skipped (the structure demo agencies DOJ, HHS and DOL are missing)');
    return;
  }
  const now = today();
  const fy = fiscalYearOf(now);
  const ovc = await createPlan(ctx, { agency_id: doj, fiscal_year: fy, programme: '[Demo] Services for Victims of Human Trafficking', assistance_listing: '16.320', opportunity_number: `O-OVC-${fy}-DEMO1`, purpose: 'Comprehensive and specialized services for survivors of all forms of trafficking.', eligible_applicants: 'Nonprofits, tribes, states', populations: ['population.adults', 'population.labor-trafficking', 'population.sex-trafficking'], needs: ['need.case-management', 'need.housing', 'need.legal'], states: ['MD', 'VA', 'DC'], nationwide: false, estimated_total: 9000000, number_of_awards: 12, post_date: now, close_date: plus(now, 60), status: 'posted' });
  const aspire = await createPlan(ctx, { agency_id: hhs, fiscal_year: fy, programme: '[Demo] Aspire: case management for foreign national survivors', assistance_listing: '93.598', purpose: 'Case management and referrals for foreign national survivors across regions.', populations: ['population.foreign-nationals', 'population.adults'], needs: ['need.case-management', 'need.housing'], states: ['MD', 'TX', 'CA'], nationwide: false, estimated_total: 4500000, number_of_awards: 6, post_date: plus(now, 30), close_date: plus(now, 90), status: 'planned' });
  const ilab = await createPlan(ctx, { agency_id: dol, fiscal_year: fy, programme: '[Demo] Workforce pathways for survivors', purpose: 'Job training and apprenticeship slots for survivors through local workforce boards.', populations: ['population.adults'], needs: ['need.employment', 'need.job-training'], states: [], nationwide: true, estimated_total: 2000000, number_of_awards: 10, post_date: plus(now, 20), close_date: plus(now, 80), status: 'planned' });
  await fileNotice(ctx, { agency_id: doj, plan_id: ovc.id, timing: 'before', subject: 'planned_solicitation', summary: '[Demo] The FY solicitation will post with a new focus on labor trafficking.', decision_on: now });
  await fileNotice(ctx, { agency_id: hhs, plan_id: aspire.id, timing: 'before', subject: 'changed_priorities', summary: '[Demo] Aspire will add housing navigation.', decision_on: plus(now, 30) });
  await reviewPlan(ctx, aspire.id, { version: 1, outcome: 'coordinate', comment: '[Demo] Overlaps with the DOJ plan in Maryland: coordinate the windows.' });
  void ilab;
  const dir = mkdtempSync(join(tmpdir(), 'grants-demo-'));
  try {
    const file = join(dir, 'GrantsDBExtractDemo.xml');
    writeFileSync(file, demoExtract(fy, now));
    await importExtract(ctx, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const award = (key: string, f: Record<string, unknown>) => createAward(ctx, { award_key: key, assistance_listing: '16.320', action_date: now, ...f });
  await award('DEMO-AWD-001', { agency_id: doj, plan_id: ovc.id, recipient_name: '[Demo] Baltimore Survivor Services', amount: 750000, state: 'MD', county_fips: '24510', description: '[Demo] award' });
  await award('DEMO-AWD-002', { agency_id: doj, plan_id: ovc.id, recipient_name: '[Demo] Northern Virginia Legal Aid', amount: 500000, state: 'VA', county_fips: '51059', description: '[Demo] award' });
  await award('DEMO-AWD-003', { agency_id: hhs, recipient_name: '[Demo] Houston Case Management Network', assistance_listing: '93.598', amount: 600000, state: 'TX', county_fips: '48201', description: '[Demo] award' });
  await award('DEMO-AWD-004', { agency_id: doj, recipient_name: '[Demo] DC Survivor Housing', amount: 400000, state: 'DC', county_fips: '11001', description: '[Demo] award' });
  log('grants: demo plans of DOJ, HHS and DOL, two notices, a review, four opportunities read from a demo extract (three kept), four awards');
}
