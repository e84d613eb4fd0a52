import type { App } from '../../../platform/module.ts';
import { inboxPages } from './inbox.tsx';
import { newReferralPages } from './new.tsx';
import { referralPages } from './referral.tsx';
import { statsPages } from './stats.tsx';

/** The referral pages, a file per resource. */
export async function referralsPages(app: App): Promise<void> {
  await inboxPages(app);
  await newReferralPages(app);
  await statsPages(app);
  await referralPages(app);
}
