/* Lookout order-tracking widget loader. One namespace (window.LookoutWidget), no cookies. */
(function (w, d) {
  "use strict";
  if (w.LookoutWidget) { w.LookoutWidget.scan(); return; }
  var frames = [];
  // How long a loaded frame has to say it is the widget before it is taken for
  // refused (this site is not allowed), unknown or broken and becomes the link.
  var WAIT_MS = 3000;
  function warn(m, x) { if (w.console) console.warn(m, x); }
  // Into the data-target element; without one (none named, none found, or not a
  // CSS selector: querySelector throws), right after the tag.
  function place(s, el) {
    var t = s.getAttribute("data-target"), box = null;
    try {
      box = t && d.querySelector(t);
      if (t && !box) warn("Lookout: data-target matches nothing", t);
    } catch (e) { warn("Lookout: bad data-target", t); }
    if (box) box.appendChild(el); else s.parentNode.insertBefore(el, s.nextSibling);
  }
  // The pages' page.title.
  var WORDS = { en: "Track your order", nb: "Spor bestillingen din", sv: "Spåra din beställning", de: "Bestellung verfolgen", zh: "查询订单" };
  // A language tag's code if the widget speaks it.
  function code(tag) {
    var l = String(tag || "").toLowerCase().split(/[-_]/)[0];
    l = l === "nn" || l === "no" ? "nb" : l;
    return WORDS[l] ? l : "";
  }
  // As the frame: data-locale, the browser's, the page's (the shop's?), English.
  function lang(s) {
    var n = w.navigator || {}, all = [s.getAttribute("data-locale")].concat(n.languages || [n.language]);
    all.push(d.documentElement.lang);
    for (var i = 0; i < all.length; i++) if (code(all[i])) return code(all[i]);
    return "en";
  }
  // The plain link to the full tracking page, in the widget's language.
  function link(origin, s) {
    var a = d.createElement("a"), l = lang(s), q = code(s.getAttribute("data-locale")) ? "?locale=" + l : "";
    a.href = (origin || "") + "/track/" + encodeURIComponent(s.getAttribute("data-shop") || "") + q;
    a.lang = l;
    a.textContent = WORDS[l];
    return a;
  }
  function mount(s) {
    if (s.getAttribute("data-lookout")) return;
    s.setAttribute("data-lookout", "1");
    var shop = s.getAttribute("data-shop") || "", origin, url;
    try {
      origin = new URL(s.src, d.baseURI).origin;
      if (!/^[a-z0-9-]{1,64}$/.test(shop)) throw new Error("Lookout: data-shop must be a shop slug");
      var q = [], l = s.getAttribute("data-locale"), a = s.getAttribute("data-accent");
      if (l) q.push("locale=" + encodeURIComponent(l));
      if (a) q.push("accent=" + encodeURIComponent(a));
      url = origin + "/embed/" + shop + (q.length ? "?" + q.join("&") : "");
      var f = d.createElement("iframe");
      f.src = url;
      f.title = s.getAttribute("data-title") || WORDS[lang(s)];
      f.setAttribute("style", "display:block;width:100%;max-width:40rem;height:460px;border:0;overflow:hidden");
      f.setAttribute("scrolling", "no");
      var x = { frame: f, origin: origin, heard: false };
      frames.push(x);
      place(s, f);
      f.addEventListener("load", function () {
        setTimeout(function () {
          if (x.heard || !f.parentNode) return;
          f.parentNode.replaceChild(link(origin, s), f);
          warn("Lookout: the widget did not load here (is this site's origin allowed for the shop?); showing a link", url);
        }, WAIT_MS);
      });
    } catch (e) {
      // Never break the host page: fall back to a plain link.
      try { place(s, link(origin, s)); } catch (ignored) {}
      warn(e);
    }
  }
  function scan() {
    var all = d.querySelectorAll("script[data-shop]");
    for (var i = 0; i < all.length; i++) if (/\/embed\.js(\?|#|$)/.test(all[i].src)) mount(all[i]);
  }
  w.addEventListener("message", function (ev) {
    var m = ev.data;
    if (!m || m.type !== "lookout:height") return;
    for (var i = 0; i < frames.length; i++) {
      var x = frames[i];
      // Word from the frame is enough to keep it (also behind a redirect to
      // another origin); its height is taken only from Lookout's origin.
      if (ev.source === x.frame.contentWindow) x.heard = true;
      if (ev.source === x.frame.contentWindow && ev.origin === x.origin) {
        var h = Math.min(Math.max(+m.height || 0, 120), 20000);
        x.frame.style.height = h + "px";
      }
    }
  });
  w.LookoutWidget = { scan: scan };
  if (d.currentScript) mount(d.currentScript);
  scan();
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", scan);
})(window, document);
