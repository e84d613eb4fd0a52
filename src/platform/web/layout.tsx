import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { headerNavFor, type NavItem, type View } from './view.ts';
import { defineMessages } from './i18n.ts';

defineMessages({ en: { 'nav.more': 'More' }, es: { 'nav.more': 'Más' } });

function LanguageLink({ v }: { v: View }) {
  const other = v.lang === 'en' ? 'es' : 'en';
  return (
    <a href={`/lang/${other}?next=${encodeURIComponent(v.url)}`} lang={other} hrefLang={other} aria-label={v.t('lang.switch.label')}>
      {v.t('lang.switch')}
    </a>
  );
}

function GovBanner({ v }: { v: View }) {
  // The static form of the USWDS banner: without its script the explanation is simply shown.
  return (
    <section class="usa-banner" aria-label={v.t('banner.official')}>
      <div class="usa-banner__header">
        <div class="usa-banner__inner">
          <div class="grid-col-auto">
            <img aria-hidden="true" class="usa-banner__header-flag" src="/assets/uswds/img/us_flag_small.png" alt="" />
          </div>
          <div class="grid-col-fill tablet:grid-col-auto" aria-hidden="true">
            <p class="usa-banner__header-text">{v.t('banner.official')}</p>
          </div>
        </div>
      </div>
    </section>
  );
}

/** A quick exit for someone who may be watched: a plain link without script; with it, Esc twice or a click replaces
 * the page and its history entry. The hotline stays in the same bar. */
export const QUICK_EXIT_URL = 'https://www.weather.gov/';
function QuickExit({ v }: { v: View }) {
  return (
    <div class="quick-exit">
      <div class="grid-container quick-exit__inner">
        <p class="quick-exit__hotline">
          {v.t('quickexit.hotline')} <a href="tel:+18883737888">1-888-373-7888</a>
        </p>
        <p class="quick-exit__action">
          <a class="quick-exit__link usa-button usa-button--secondary" href={QUICK_EXIT_URL} rel="noreferrer" data-quick-exit="">
            {v.t('quickexit.leave')}
          </a>
          <span class="quick-exit__hint">{v.t('quickexit.hint')}</span>
        </p>
      </div>
    </div>
  );
}

function isCurrent(v: View, item: NavItem): boolean {
  return item.href === '/' ? v.path === '/' : v.path === item.href || v.path.startsWith(item.href + '/');
}

function NavLink({ v, item }: { v: View; item: NavItem }) {
  const current = isCurrent(v, item);
  return (
    <li class="usa-nav__primary-item">
      <a href={item.href} class={`usa-nav-link${current ? ' usa-current' : ''}`} aria-current={current ? 'page' : undefined}>
        <span>{v.t(item.label)}</span>
      </a>
    </li>
  );
}

/**
 * Less-used links under "More", a USWDS nav submenu: its script opens and closes it (aria-expanded, Escape). Without
 * JavaScript (nav.css) it opens while the pointer is over it or focus is inside it, so Tab reaches each link; on
 * narrow screens its links are listed in the menu like the others, the button left out.
 */
function MoreMenu({ v, items }: { v: View; items: NavItem[] }) {
  const current = items.some((item) => isCurrent(v, item));
  return (
    <li class="usa-nav__primary-item nav-more">
      <button type="button" class={`usa-accordion__button usa-nav__link nav-more__button${current ? ' usa-current' : ''}`} aria-expanded="false" aria-controls="nav-more">
        <span>{v.t('nav.more')}</span>
      </button>
      <ul id="nav-more" class="usa-nav__submenu nav-more__list" hidden>
        {items.map((item) => {
          const here = isCurrent(v, item);
          return (
            <li class="usa-nav__submenu-item">
              <a href={item.href} class={here ? 'usa-current' : undefined} aria-current={here ? 'page' : undefined}>
                {v.t(item.label)}
              </a>
            </li>
          );
        })}
      </ul>
    </li>
  );
}

function Header({ v }: { v: View }) {
  const { top, more, manage } = headerNavFor(v.actor);
  return (
    <header class="usa-header usa-header--extended">
      <div class="usa-navbar">
        <div class="usa-logo">
          <em class="usa-logo__text">
            <a href="/" title={v.t('site.tagline')}>
              {v.t('site.name')}
            </a>
          </em>
        </div>
        <button type="button" class="usa-menu-btn">
          {v.t('nav.menu')}
        </button>
      </div>
      <nav aria-label={v.t('nav.primary')} class="usa-nav">
        <div class="usa-nav__inner">
          <button type="button" class="usa-nav__close">
            <img src="/assets/uswds/img/usa-icons/close.svg" role="img" alt={v.t('nav.close')} />
          </button>
          <ul class="usa-nav__primary usa-accordion">
            {top.map((item) => (
              <NavLink v={v} item={item} />
            ))}
            {more.length > 0 && <MoreMenu v={v} items={more} />}
            {manage && <NavLink v={v} item={manage} />}
          </ul>
          <div class="usa-nav__secondary">
            <ul class="usa-nav__secondary-links">
              <li class="usa-nav__secondary-item">
                <LanguageLink v={v} />
              </li>
              {v.actor ? (
                <>
                  {(v.taskCount ?? 0) > 0 && (
                    <li class="usa-nav__secondary-item">
                      <a href="/#tasks" aria-label={v.t('tasks.header.label', { n: v.taskCount ?? 0 })}>
                        {v.t('tasks.header')} <span class="task-count usa-tag bg-secondary-dark">{String(v.taskCount)}</span>
                      </a>
                    </li>
                  )}
                  <li class="usa-nav__secondary-item">
                    <a href="/account">
                      {v.t('nav.account')} ({v.actor.name})
                    </a>
                  </li>
                  <li class="usa-nav__secondary-item">
                    <form method="post" action="/logout" class="display-inline">
                      <input type="hidden" name="_csrf" value={v.csrf()} />
                      <button type="submit" class="usa-button usa-button--unstyled">
                        {v.t('nav.signout')}
                      </button>
                    </form>
                  </li>
                </>
              ) : (
                <li class="usa-nav__secondary-item">
                  <a href={`/login?next=${encodeURIComponent(v.url)}`}>{v.t('nav.signin')}</a>
                </li>
              )}
            </ul>
          </div>
        </div>
      </nav>
    </header>
  );
}

function Footer({ v }: { v: View }) {
  return (
    <footer class="usa-footer usa-footer--slim">
      <div class="usa-footer__primary-section">
        <div class="grid-container">
          <section class="hotline" aria-labelledby="hotline-heading">
            <h2 id="hotline-heading" class="font-heading-md margin-top-0">
              {v.t('footer.hotline.title')}
            </h2>
            <p>{v.t('footer.hotline.text')}</p>
            <ul class="usa-list usa-list--unstyled hotline__contacts">
              <li>
                <a href="tel:+18883737888">{v.t('footer.hotline.call')}</a>
              </li>
              <li>
                <a href="sms:233733">{v.t('footer.hotline.sms')}</a>
              </li>
              <li>{v.t('footer.hotline.tty')}</li>
            </ul>
            <p>{v.t('footer.emergency')}</p>
          </section>
        </div>
      </div>
      <div class="usa-footer__secondary-section">
        <div class="grid-container">
          <p>{v.t('footer.privacy')}</p>
          <p>
            <a href="/api/docs">{v.t('footer.api')}</a>
          </p>
        </div>
      </div>
    </footer>
  );
}

export function Layout({ v, title, children }: { v: View; title: string; children: ComponentChildren }) {
  return (
    <html lang={v.lang} class="no-js">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} | ${v.t('site.name')}`}</title>
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/uswds/css/uswds.min.css" />
        <link rel="stylesheet" href="/assets/app.css" />
        <link rel="stylesheet" href="/assets/nav.css" />
        <link rel="stylesheet" href="/assets/print.css" media="print" />
        <script src="/assets/app.js"></script>
      </head>
      <body>
        <a class="usa-skipnav" href="#main-content">
          {v.t('skip.main')}
        </a>
        <QuickExit v={v} />
        {v.govBanner && <GovBanner v={v} />}
        <div class="usa-overlay"></div>
        <Header v={v} />
        <main id="main-content" class="grid-container padding-bottom-6" tabIndex={-1}>
          {children}
        </main>
        <Footer v={v} />
        <script src="/assets/uswds/js/uswds.min.js"></script>
      </body>
    </html>
  );
}

export function renderPage(v: View, title: string, body: VNode | ComponentChildren): string {
  return '<!doctype html>' + renderToString(<Layout v={v} title={title}>{body}</Layout>);
}
