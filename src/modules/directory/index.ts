import { join } from 'node:path';
import type { Db } from '../../platform/db/index.ts';
import { SUMMARY_MEMBER } from './summary.ts';
import type { App, AppModule } from '../../platform/module.ts';
import { MANAGE, PERMISSIONS, PROPOSE } from './permissions.ts';
import { messages } from './messages.ts';
import { directoryApi } from './api.ts';
import { directoryPages } from './pages/routes.ts';
import { editingApi } from './editing-api.ts';
import { seedDirectory } from './seed.ts';
import { directoryCli } from './cli.ts';
import { importRoutes } from './pages/imports.tsx';
import { importMessages } from './import-messages.ts';
import { federationMessages } from './federation-messages.ts';
import { listMessages } from './lists-messages.ts';
import { listsApi } from './lists-api.ts';
import { sourceRoutes } from './pages/sources.tsx';
import { crosswalkRoutes } from './pages/crosswalk.tsx';
import { crosswalkMessages } from './crosswalk-messages.ts';
import { reapplyPendingCrosswalk } from './crosswalk.ts';
import { pullDueSources } from './federation.ts';

export { CONFIDENTIAL as DIRECTORY_CONFIDENTIAL, MANAGE as DIRECTORY_MANAGE, PROPOSE as DIRECTORY_PROPOSE } from './permissions.ts';
// The module's public service API, for other modules and the command line.
export { importPath, ImportRefused, type ImportReport } from './import.ts';
export { exportDirectory } from './export.ts';
export { verifyService } from './commands.ts';
export { unverifiedServices } from './store.ts';
export { proposeChange, approveProposal, returnProposal, updateCapacity, listProposals } from './editing.ts';
export { searchServices, type SearchParams } from './search.ts';
export { servicesFull } from './hsds.ts';
export { needCoverage, NEED_TERMS, NEED_CODES, isNeedCode, organizationNames, organizationChoices, organizationsNamed, type CoveragePoint, type NeedCoverage, type CoverageOptions } from './coverage.ts';
export { TERMS as DIRECTORY_TERMS } from './taxonomy.ts';

/** A findable (not defunct) service as published statistics count it: its need and population codes, and its states. */
export interface ServiceFact {
  id: string;
  needs: string[];
  populations: string[];
  /** States of its locations that are not confidential (a shelter's location is not counted). */
  states: string[];
}

/**
 * Every findable service's facts, for the research module's insights: the terms come from the kept figures
 * (directory_summary_member, summary.ts), the states from the addresses of its public locations.
 */
export async function serviceFacts(db: Db): Promise<ServiceFact[]> {
  const out = new Map<string, ServiceFact>();
  for (const r of await db.selectFrom(SUMMARY_MEMBER).select(['service_id', 'keys']).execute()) {
    const f: ServiceFact = { id: String(r.service_id), needs: [], populations: [], states: [] };
    for (const k of String(r.keys).split('\n')) {
      if (k.startsWith('need:')) f.needs.push(k.slice(5));
      else if (k.startsWith('population:')) f.populations.push(k.slice(11));
    }
    out.set(f.id, f);
  }
  const places = await db
    .selectFrom('directory_service_at_location as sal')
    .innerJoin('directory_location as loc', 'loc.id', 'sal.location_id')
    .innerJoin('directory_address as adr', 'adr.location_id', 'loc.id')
    .select(['sal.service_id as service_id', 'adr.state_province as state'])
    .where((eb) => eb.or([eb('loc.confidential', '=', false), eb('loc.confidential', 'is', null)]))
    .execute();
  for (const p of places) {
    const f = out.get(String(p.service_id));
    const st = String(p.state ?? '').trim().toUpperCase();
    if (f && st && !f.states.includes(st)) f.states.push(st);
  }
  return [...out.values()];
}
export { stewardedOrganizations, stewardsOf, isSteward, listStewards, addSteward, removeSteward, type Steward } from './stewards.ts';

export const directoryModule: AppModule = {
  name: 'directory',
  permissions: PERMISSIONS,
  nav: [
    { href: '/directory', label: 'directory.nav', description: 'directory.nav.about', order: 15 },
    { href: '/directory/unverified', label: 'directory.unverified.nav', order: 16, permission: MANAGE, manage: true },
    { href: '/directory/review', label: 'directory.review.nav', order: 17, permission: MANAGE, manage: true },
    { href: '/directory/my', label: 'directory.my.nav', description: 'directory.my.nav.about', order: 18, permission: PROPOSE },
    { href: '/directory/imports', label: 'directory.imports.nav', order: 19, permission: MANAGE, manage: true },
    { href: '/directory/sources', label: 'directory.sources.nav', order: 20, permission: MANAGE, manage: true },
    { href: '/directory/crosswalk', label: 'directory.crosswalk.nav', order: 21, permission: MANAGE, manage: true },
  ],
  messages: { en: { ...messages.en, ...importMessages.en, ...federationMessages.en, ...listMessages.en, ...crosswalkMessages.en }, es: { ...messages.es, ...importMessages.es, ...federationMessages.es, ...listMessages.es, ...crosswalkMessages.es } },
  migrations: join(import.meta.dirname, 'migrations'),
  commands: [directoryCli],
  async register(app: App) {
    await directoryApi(app);
    await directoryPages(app);
    await editingApi(app);
    importRoutes(app);
    sourceRoutes(app);
    crosswalkRoutes(app);
    listsApi(app);
  },
  seedDemo: seedDirectory,
  jobs: [{ name: 'directory.federation', description: 'Pull the registered directory sources that are due (conditional requests; changed records only).', schedule: { everyMinutes: 15 }, run: pullDueSources },
    { name: 'directory.crosswalk', description: 'Map stored services again after a change to the taxonomy crosswalk left that pending (large directories).', schedule: { everyMinutes: 5 }, run: (ctx) => reapplyPendingCrosswalk(ctx) },
  ],
};
