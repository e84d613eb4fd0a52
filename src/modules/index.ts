import type { AppModule } from '../platform/module.ts';
import { structureModule } from './structure/index.ts';
import { directoryModule } from './directory/index.ts';
import { workplansModule } from './workplans/index.ts';
import { listeningModule } from './listening/index.ts';
import { networksModule } from './networks/index.ts';
import { referralsModule } from './referrals/index.ts';
import { practicesModule } from './practices/index.ts';
import { outreachModule } from './outreach/index.ts';
import { grantsModule } from './grants/index.ts';
import { researchModule } from './research/index.ts';

/** Every capability, in the order their routes, navigation and demo data are set up. */
export const modules: AppModule[] = [structureModule, directoryModule, workplansModule, listeningModule, networksModule, referralsModule, practicesModule, grantsModule, outreachModule, researchModule];
