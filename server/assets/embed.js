/* Lookout widget loader: one global (LookoutWidget), no cookies. */
(function (w, d) {
  "use strict";
  // Loaded before: scan.
  if (w.LookoutWidget && typeof w.LookoutWidget.scan === "function") { w.LookoutWidget.scan(); return; }
  var frames = [];
  // Silent this long: a link.
  var WAIT_MS = 3000;
  function warn(m, x) { if (w.console) console.warn(m, x); }
  // Into data-target, else after the tag (<head>: end of <body>).
  function place(s, el) {
    var t = s.getAttribute("data-target"), box = null, head = d.head && d.head.contains(s) || !s.parentNode;
    if (head && d.readyState === "loading") return d.addEventListener("DOMContentLoaded", function () { place(s, el); });
    try {
      box = t && d.querySelector(t);
      if (t && !box) warn("Lookout: data-target matches nothing", t);
    } catch (e) { warn("Lookout: bad data-target", t); }
    if (box) box.appendChild(el);
    else if (head) { warn("Lookout: tag in <head>; widget at end of <body>", s.src); d.body.appendChild(el); }
    else s.parentNode.insertBefore(el, s.nextSibling);
  }
  var WORDS = {
    en: "Track your order", da: "Spor din bestilling", de: "Bestellung verfolgen", es: "Sigue tu pedido",
    fr: "Suivre votre commande", it: "Traccia il tuo ordine", ja: "注文状況の確認", nb: "Spor bestillingen din",
    nl: "Volg je bestelling", pl: "Śledź zamówienie", pt: "Acompanhe seu pedido", sv: "Spåra din beställning", zh: "查询订单",
    "zh-Hant": "查詢訂單" };
  function code(tag) {
    var t = String(tag || "").trim().toLowerCase().replace(/_/g, "-"), l = t.split("-")[0];
    if (l == "nn" || l == "no") l = "nb";
    // zh: 1st script/region decides; Hant TW HK MO: Traditional.
    if (l == "zh" && /^zh(-(?!(hans|hant|tw|hk|mo)(-|$))[a-z\d]{2,8}){0,2}-(hant|tw|hk|mo)(-|$)/.test(t) || l == "yue") l = "zh-Hant";
    return typeof WORDS[l] == "string" ? l : "";
  }
  // data-locale, the browser's, the page's, English.
  function lang(s) {
    var n = w.navigator || {}, all = [s.getAttribute("data-locale")].concat(n.languages || [n.language]);
    all.push(d.documentElement.lang);
    for (var i = 0; i < all.length; i++) if (code(all[i])) return code(all[i]);
    return "en";
  }
  function tag(l) { return { pt: "pt-BR", zh: "zh-Hans" }[l] || l; }
  function link(origin, s) {
    var a = d.createElement("a"), l = lang(s), q = code(s.getAttribute("data-locale")) ? "?locale=" + l : "";
    a.href = (origin || "") + "/track/" + encodeURIComponent(s.getAttribute("data-shop") || "") + q;
    a.lang = tag(l);
    a.textContent = WORDS[l];
    return a;
  }
  function mount(s) {
    if (s.getAttribute("data-lookout")) return;
    s.setAttribute("data-lookout", "1");
    var shop = s.getAttribute("data-shop") || "", origin, url;
    // The pasted link stays if this never runs.
    var pasted = s.previousElementSibling;
    if (!pasted || !pasted.hasAttribute("data-lookout-link")) pasted = null;
    try {
      origin = new URL(s.src, d.baseURI).origin;
      if (!/^[a-z0-9-]{1,64}$/.test(shop)) throw new Error("Lookout: data-shop must be a shop slug");
      var q = [], wanted = s.getAttribute("data-locale"), a = s.getAttribute("data-accent");
      if (wanted) q.push("locale=" + encodeURIComponent(wanted));
      if (a) q.push("accent=" + encodeURIComponent(a));
      url = origin + "/embed/" + shop + (q.length ? "?" + q.join("&") : "");
      var f = d.createElement("iframe");
      f.src = url;
      // The merchant's title, else ours in the widget's language.
      var own = s.getAttribute("data-title"), l = lang(s);
      f.title = own || WORDS[l];
      if (!own) f.lang = tag(l);
      // CSSOM (CSP allows it); px, as themes change rem.
      f.style.cssText = "display:block;width:100%;max-width:640px;height:460px;border:0;overflow:hidden";
      f.setAttribute("scrolling", "no");
      var x = { frame: f, origin: origin, heard: false, lang: own ? "" : l };
      frames.push(x);
      place(s, f);
      if (pasted) pasted.parentNode.removeChild(pasted);
      f.addEventListener("load", function () {
        setTimeout(function () {
          if (x.heard || !f.parentNode) return;
          f.parentNode.replaceChild(link(origin, s), f);
          warn("Lookout: widget did not load here (origin not allowed?); showing a link", url);
        }, WAIT_MS);
      });
    } catch (e) {
      // Never break the host page.
      try { if (!pasted || !pasted.parentNode) place(s, link(origin, s)); } catch (ignored) {}
      warn(e);
    }
  }
  function scan() {
    var all = d.querySelectorAll("script[data-shop]");
    for (var i = 0; i < all.length; i++) if (/\/embed\.js(\?|#|$)/.test(all[i].src)) mount(all[i]);
  }
  w.addEventListener("message", function (ev) {
    var m = ev.data, c;
    if (!m || m.type !== "lookout:height") return;
    for (var i = 0; i < frames.length; i++) {
      var x = frames[i];
      // Any word keeps the frame; heights only from our origin.
      var mine = ev.source && ev.source === x.frame.contentWindow;
      if (mine) x.heard = true;
      if (mine && ev.origin === x.origin) {
        var h = Math.min(Math.max(+m.height || 0, 120), 20000);
        x.frame.style.height = h + "px";
        // Our title follows the language chosen inside.
        if ((c = code(m.lang)) && x.frame.title === WORDS[x.lang]) {
          x.frame.title = WORDS[x.lang = c];
          x.frame.lang = tag(c);
        }
      }
    }
  });
  w.LookoutWidget = { scan: scan };
  if (d.currentScript) mount(d.currentScript);
  scan();
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", scan);
})(window, document);
