// Marks the page as scripted so that styles for the no-script fallback step aside.
document.documentElement.classList.remove('no-js');
document.documentElement.classList.add('js');

// Quick exit: a click on "Leave this site", or Esc pressed twice within a second, blanks the page and replaces it and
// its history entry with a neutral site, so that Back does not lead here. Without script the link still leaves.
(function () {
  var last = 0;
  function leave(url) {
    try { document.body.style.visibility = 'hidden'; document.title = ''; } catch (e) { /* keep going */ }
    window.location.replace(url);
  }
  document.addEventListener('click', function (e) {
    var a = e.target && e.target.closest ? e.target.closest('a[data-quick-exit]') : null;
    if (!a) return;
    e.preventDefault();
    leave(a.href);
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    var now = Date.now();
    if (now - last < 1000) {
      var a = document.querySelector('a[data-quick-exit]');
      if (a) leave(a.href);
    }
    last = now;
  });
})();

// Directory map (pages/search.tsx): a marker leads to its result card, which gets the focus and an outline, and a card
// that gets the focus outlines its marker; the zoom links (and a cluster's) redraw the map in place instead of
// loading the whole page. Without script the same links work: the card is the link's target, the server redraws.
(function () {
  function closest(el, sel) { return el && el.closest ? el.closest(sel) : null; }
  function mark(selector, cls, el) {
    var old = document.querySelectorAll(selector + '.' + cls);
    for (var i = 0; i < old.length; i++) old[i].classList.remove(cls);
    if (el) el.classList.add(cls);
  }
  function markerOf(id) {
    var all = document.querySelectorAll('.us-map__marker');
    for (var i = 0; i < all.length; i++) {
      var keys = (all[i].getAttribute('data-key') || all[i].getAttribute('data-keys') || '').split(' ');
      if (keys.indexOf(id) >= 0) return all[i];
    }
    return null;
  }
  document.addEventListener('click', function (e) {
    var a = closest(e.target, 'a.us-map__marker, a[data-map-zoom]');
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var href = a.getAttribute('href') || '';
    if (href.charAt(0) === '#') {
      var card = document.getElementById(href.slice(1));
      if (!card) return;
      e.preventDefault();
      mark('.directory-card', 'is-selected', card);
      card.focus();
      if (window.history && history.replaceState) history.replaceState(null, '', href);
      return;
    }
    var box = closest(a, '[data-directory-map]');
    if (!box || !window.fetch || !window.DOMParser) return;
    e.preventDefault();
    // An SVG link's href is not a string: resolve the attribute.
    var url = new URL(href, window.location.href).href;
    fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('[data-directory-map]');
        if (!fresh) throw new Error('no map');
        var node = document.importNode(fresh, true);
        box.parentNode.replaceChild(node, box);
        if (window.history && history.replaceState) history.replaceState(null, '', url.split('#')[0]);
        node.focus();
      })
      .catch(function () { window.location.href = url; });
  });
  document.addEventListener('focusin', function (e) {
    var card = closest(e.target, '.directory-card');
    if (!card) return;
    mark('.us-map__marker', 'is-selected', markerOf(card.id.replace(/^result-/, '')));
  });
})();
