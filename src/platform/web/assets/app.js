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
