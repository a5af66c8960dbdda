// The console works without this script; with it, boxes meant for copying
// (the script tag, a new key, the webhook URL) get a copy button.
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
