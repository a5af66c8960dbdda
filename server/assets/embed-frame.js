/* Inside the Lookout widget frame: tell the parent page how tall the content is,
   and in which language it is written (the frame's name follows a language
   chosen inside it). */
(function () {
  "use strict";
  if (window.parent === window) return;
  // -1: the first height is always sent, even 0 in a hidden container, so
  // that the page knows the widget is here.
  var last = -1;
  function post() {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last) { last = h; window.parent.postMessage({ type: "lookout:height", height: h, lang: document.documentElement.lang }, "*"); }
  }
  // Browsers without ResizeObserver (Safari before 13.1) are asked twice a
  // second; a height is sent only when it changed.
  if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
  else setInterval(post, 500);
  window.addEventListener("load", post);
  post();
})();
