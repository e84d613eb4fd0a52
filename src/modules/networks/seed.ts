import type { Ctx } from '../../platform/context.ts';
import { organizationsNamed } from '../directory/index.ts';
import { addAgreement, addContact, addMember, createNetwork } from './commands.ts';
import type { MemberRole } from './schema.ts';

const CONVENER = 'Capital Area Freedom Network';

interface NetworkSeed {
  name: string;
  description: string;
  convener: string;
  area: Record<string, unknown>;
  needs: string[];
  members: [string, MemberRole][];
  agreements: { title: string; party?: string; on_file: boolean; signed_on?: string; expires_on?: string }[];
  contacts: { name: string; title: string; party?: string; email: string; phone: string }[];
}

// Members are organisations of the Washington DC sample and the demo providers, chosen by what they offer there.
// People and addresses below are fictitious (example.org e-mail, 555 phone numbers).
const NETWORKS: NetworkSeed[] = [
  {
    name: 'DC Metro Employment and Training Network',
    description: 'Victim service providers and job, training and education programs of the District and the nearby Maryland and Virginia counties, working together so that survivors reach employment and training.',
    convener: CONVENER,
    area: { area_kind: 'regions', states: ['DC'], counties: ['24031', '24033', '51013', '51059', '51510'] },
    needs: ['need.employment', 'need.job-training', 'need.education', 'need.language-access', 'need.child-care', 'need.transportation'],
    members: [
      ['DC Rape Crisis Center', 'victim_service_provider'],
      ['United Planning Organization', 'employment_training'],
      ['YMCA of Metropolitan Washington', 'employment_training'],
      ['Spanish Catholic Center (SCC)', 'education'],
      ['DC Public Library (DCPL) System', 'education'],
      ['Legal Aid Society of the District of Columbia', 'legal'],
      ["Mary's Center", 'health'],
    ],
    agreements: [
      { title: 'Memorandum of understanding on referrals and job placement', party: 'United Planning Organization', on_file: true, signed_on: '2026-03-02', expires_on: '2028-03-01' },
      { title: 'Memorandum of understanding on English classes and GED preparation', party: 'Spanish Catholic Center (SCC)', on_file: true, signed_on: '2024-09-15', expires_on: '2026-09-14' },
      { title: 'Network charter', on_file: false },
    ],
    contacts: [
      { name: 'Dana Whitfield', title: 'Network coordinator', party: CONVENER, email: 'coordinator@freedom-network.example', phone: '(202) 555-0110' },
      { name: 'Luis Ortega', title: 'Workforce programs manager', party: 'United Planning Organization', email: 'l.ortega@upo.example', phone: '(202) 555-0142' },
    ],
  },
  {
    name: 'DC Survivor Housing Network',
    description: 'Shelters, housing programs and legal help within ten miles of the centre of Washington, DC, for safe and stable housing after trafficking.',
    convener: 'N Street Village',
    area: { area_kind: 'radius', center_lat: 38.9072, center_lng: -77.0369, radius_miles: 10 },
    needs: ['need.emergency-shelter', 'need.housing', 'need.case-management', 'need.basic-needs'],
    members: [
      [CONVENER, 'victim_service_provider'],
      ['Pathways to Housing', 'housing'],
      ['Housing Up', 'housing'],
      ['Covenant House Washington', 'housing'],
      ['Community of Hope', 'housing'],
      ['Virginia Williams Family Resource Center (VWFRC)', 'housing'],
      ['Washington Legal Clinic for the Homeless', 'legal'],
    ],
    agreements: [{ title: 'Memorandum of understanding on emergency placements', party: CONVENER, on_file: true, signed_on: '2025-11-01', expires_on: '2027-10-31' }],
    contacts: [{ name: 'Renée Coleman', title: 'Housing navigator', party: 'N Street Village', email: 'housing@nstreetvillage.example', phone: '(202) 555-0177' }],
  },
];

export async function seedNetworks(ctx: Ctx, log: (line: string) => void): Promise<void> {
  for (const s of NETWORKS) {
    const names = [s.convener, ...s.members.map(([n]) => n)];
    const found = new Map((await organizationsNamed(ctx.db, names)).map((o) => [o.name, o.id]));
    const convener = found.get(s.convener);
    if (!convener) {
      log(`networks: ${s.name} left out: its convener ${s.convener} is not in the directory`);
      continue;
    }
    const n = await createNetwork(ctx, { name: s.name, description: s.description, convener_organization_id: convener, needs: s.needs, ...s.area });
    let members = 0;
    for (const [name, role] of s.members) {
      const id = found.get(name);
      if (!id || id === convener) continue;
      await addMember(ctx, n.id, { directory_organization_id: id, role, joined_on: '2026-01-15' });
      members++;
    }
    for (const a of s.agreements) {
      const party = a.party ? found.get(a.party) : undefined;
      if (a.party && !party) continue;
      await addAgreement(ctx, n.id, { title: a.title, directory_organization_id: party ?? null, on_file: a.on_file, signed_on: a.signed_on ?? null, expires_on: a.expires_on ?? null });
    }
    for (const c of s.contacts) {
      const party = c.party ? found.get(c.party) : undefined;
      await addContact(ctx, n.id, { name: c.name, title: c.title, email: c.email, phone: c.phone, directory_organization_id: party ?? null });
    }
    log(`networks: ${s.name} with ${members + 1} members`);
  }
}
