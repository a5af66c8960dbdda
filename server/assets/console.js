// The console works without this script; with it, boxes meant for copying
// (the script tag, a new key, the webhook URL) get a copy button, and times
// are shown in the browser's own time zone.
document.querySelectorAll("pre.copy").forEach(function (box) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "copy-button secondary";
  var label = document.body.getAttribute("data-copy") || "Copy";
  button.textContent = label;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(box.textContent.trim()).then(function () {
      button.textContent = "✓";
      setTimeout(function () { button.textContent = label; }, 2000);
    });
  });
  box.after(button);
});

// Times are written in UTC; here each is shown in the browser's own time zone
// (named), in the page's language, with the UTC one kept as its title.
document.querySelectorAll("time[datetime]").forEach(function (time) {
  var at = new Date(time.getAttribute("datetime"));
  if (isNaN(at.getTime()) || typeof Intl !== "object") return;
  try {
    var local = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
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
