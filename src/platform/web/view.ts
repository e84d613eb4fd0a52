import type { Actor } from '../context.ts';
import type { Lang, Translate } from './i18n.ts';

export interface NavItem {
  href: string;
  /** Message key of the label. */
  label: string;
  /** Shown only to those holding this permission; public when absent. */
  permission?: string;
  order: number;
}

const navItems: NavItem[] = [];

/** Modules add their header links at start-up. */
export function addNav(...items: NavItem[]): void {
  for (const item of items) if (!navItems.some((n) => n.href === item.href)) navItems.push(item);
  navItems.sort((a, b) => a.order - b.order);
}

export function navFor(actor: Actor | null): NavItem[] {
  return navItems.filter((n) => !n.permission || (actor?.permissions.has(n.permission) ?? false));
}

/** What every page needs to know about the request it answers. */
export interface View {
  lang: Lang;
  t: Translate;
  actor: Actor | null;
  /** The CSRF token for forms on this page. */
  csrf: () => string;
  /** Path of the current page, without the query. */
  path: string;
  /** Path and query of the current page. */
  url: string;
  govBanner: boolean;
  can(permission: string): boolean;
  /** How many things wait for the signed-in person (shown in the header); 0 for the public. */
  taskCount?: number;
}
