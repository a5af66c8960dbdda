// The console works without this script; with it, boxes meant for copying
// (the script tag, a new key, the webhook URL) get a copy button, times are
// shown in the browser's own time zone, and the widget's preview fits its content.
document.querySelectorAll("pre.copy").forEach(function (box) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy-button secondary";
  var label = document.body.getAttribute("data-copy") || "Copy";
  button.textContent = label;
  // What is copied, for a screen reader ("Copy the script tag"), and a word once it is.
  var named = box.getAttribute("data-label");
  if (named) button.setAttribute("aria-label", named);
  var said = document.createElement("span");
  said.className = "visually-hidden";
  said.setAttribute("role", "status");
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(box.textContent.trim()).then(function () {
      button.textContent = "✓";
      said.textContent = document.body.getAttribute("data-copied") || "Copied";
      setTimeout(function () { button.textContent = label; said.textContent = ""; }, 2000);
    });
  });
  box.after(button, said);
});

// Times are written in UTC; here each is shown in the browser's own time zone
// (named), in the page's language, with the UTC one kept as its title.
// The shopper's view in the support page stays as the shopper sees it. English
// is written as the UTC times are ("4 Dec 2026"), not in the US order.
var lang = document.documentElement.lang === "en" ? "en-GB" : document.documentElement.lang || undefined;
document.querySelectorAll("time[datetime]").forEach(function (time) {
  var at = new Date(time.getAttribute("datetime"));
  // A day alone ("2026-12-04", the overview's) is no moment: it stays as it is.
  if (time.getAttribute("datetime").length <= 10) return;
  if (isNaN(at.getTime()) || typeof Intl !== "object" || time.closest(".shopper")) return;
  try {
    var local = new Intl.DateTimeFormat(lang, {
      year: "numeric", month: "short", day: "numeric",
      // A 24-hour clock, as the UTC time beside it ("13:04", not "01:04 PM").
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
    }).format(at);
    time.title = time.textContent;
    time.textContent = local;
  } catch (e) {
    // A browser without these options keeps the time in UTC.
  }
});

// The settings page's preview of the widget grows to fit it, as the widget's
// frame does on a storefront (the frame says its height; only this origin's).
window.addEventListener("message", function (ev) {
  var m = ev.data;
  if (!m || m.type !== "lookout:height" || ev.origin !== location.origin) return;
  document.querySelectorAll("iframe.preview").forEach(function (frame) {
    if (frame.contentWindow === ev.source) {
      frame.style.height = Math.min(Math.max(+m.height || 0, 120), 20000) + "px";
    }
  });
});
