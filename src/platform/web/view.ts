import type { Actor } from '../context.ts';
import type { Lang, Translate } from './i18n.ts';

export interface NavItem {
  href: string;
  /** Message key of the label. */
  label: string;
  /** Message key of one sentence saying what the area is for: the description on its home page card. */
  description?: string;
  /** Shown only to those holding this permission; public when absent. */
  permission?: string;
  order: number;
  /** Pages for managing the workspace: listed on /manage behind one header link, not in the header itself. */
  manage?: boolean;
}

const navItems: NavItem[] = [];

/** Modules add their header links at start-up. */
export function addNav(...items: NavItem[]): void {
  for (const item of items) if (!navItems.some((n) => n.href === item.href)) navItems.push(item);
  navItems.sort((a, b) => a.order - b.order);
}

/** Every link the actor may follow, management pages included. */
export function linksFor(actor: Actor | null): NavItem[] {
  return navItems.filter((n) => !n.permission || (actor?.permissions.has(n.permission) ?? false));
}

/** The header's links: management pages are gathered behind one "Manage" link (issue 16: the header wrapped). */
export function navFor(actor: Actor | null): NavItem[] {
  const links = linksFor(actor);
  const top = links.filter((n) => !n.manage);
  return links.some((n) => n.manage) ? [...top, { href: '/manage', label: 'nav.manage', description: 'nav.manage.about', order: 89 }] : top;
}

/** How many of the header's links (Home included) stay on its first level; the rest go under "More". */
export const HEADER_TOP_LINKS = 5;

/**
 * The header's links in two groups (issue 16: the navigation wrapped onto two or three lines at 1,280 px): the
 * first few by order, then the rest under a "More" submenu; "Manage" stays on the first level, last.
 */
export function headerNavFor(actor: Actor | null): { top: NavItem[]; more: NavItem[]; manage?: NavItem } {
  const all = navFor(actor);
  const manage = all.find((n) => n.href === '/manage');
  const links = all.filter((n) => n !== manage);
  const cut = links.length > HEADER_TOP_LINKS + 1 ? HEADER_TOP_LINKS : links.length;
  return { top: links.slice(0, cut), more: links.slice(cut), manage };
}

/** The management pages the actor may open, for /manage. */
export function manageLinksFor(actor: Actor | null): NavItem[] {
  return linksFor(actor).filter((n) => n.manage);
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
