import type { Ctx } from './context.ts';
import { createUser } from './auth/index.ts';
import { nowIso } from './db/index.ts';
import { installModules, type AppModule } from './module.ts';
import type { Role } from './auth/roles.ts';

export const DEMO_PASSWORD = 'taskforce-demo-2026';

export const DEMO_USERS: { email: string; name: string; role: Role; organization: string }[] = [
  { email: 'admin@demo.taskforce.example', name: 'Demo Administrator', role: 'admin', organization: 'Office on Trafficking in Persons (HHS)' },
  { email: 'chair@demo.taskforce.example', name: 'Demo Committee Chair', role: 'chair', organization: 'Office on Trafficking in Persons (HHS)' },
  { email: 'member@demo.taskforce.example', name: 'Demo Agency Member', role: 'member', organization: 'Department of Labor' },
  { email: 'analyst@demo.taskforce.example', name: 'Demo Analyst', role: 'analyst', organization: 'Department of Justice' },
];

export async function demoLoaded(ctx: Ctx): Promise<boolean> {
  const row = await ctx.db.selectFrom('app_meta').select('value').where('key', '=', 'demo_loaded').executeTakeFirst();
  return Boolean(row);
}

/** Loads the demo accounts and every module's demo data, once. */
export async function seedDemo(ctx: Ctx, modules: AppModule[], log: (line: string) => void): Promise<boolean> {
  // The demo acts in the names of its accounts, whose permissions come from the manifests.
  installModules(modules);
  if (await demoLoaded(ctx)) {
    log('demo data is already loaded; nothing to do');
    return false;
  }
  for (const [i, u] of DEMO_USERS.entries()) {
    await createUser(ctx, { ...u, password: DEMO_PASSWORD });
    log(`demo accounts: ${i + 1}/${DEMO_USERS.length}`);
  }
  for (const m of modules) {
    if (!m.seedDemo) continue;
    log(`demo data: ${m.name}...`);
    await m.seedDemo(ctx, log);
  }
  await ctx.db.insertInto('app_meta').values({ key: 'demo_loaded', value: nowIso(), updated_at: nowIso() }).execute();
  log('demo data loaded');
  return true;
}
