// Marks the page as scripted so that styles for the no-script fallback step aside.
document.documentElement.classList.remove('no-js');
document.documentElement.classList.add('js');
