// Keyboard shortcuts for the moderation queue. Progressive enhancement: every
// action is a plain form button, and these keys only press those buttons.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
  var help = document.getElementById("keyboard-help");
  var current = -1;
  document.body.classList.add("has-keyboard");

  function focusItem(index) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item) { item.classList.remove("is-current"); });
    var item = items[current];
    item.classList.add("is-current");
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function press(action) {
    if (current < 0) return;
    var button = items[current].querySelector('button[data-action="' + action + '"]');
    if (button) button.click();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
    switch (event.key) {
      case "j": focusItem(current + 1); break;
      case "k": focusItem(current - 1); break;
      case "a": press("approve"); break;
      case "r": press("reject"); break;
      case "s": press("spam"); break;
      case "x":
        if (current >= 0) {
          var box = items[current].querySelector('input[name="selected"]');
          if (box) box.checked = !box.checked;
        }
        break;
      case "?": if (help) help.hidden = !help.hidden; break;
      default: return;
    }
    event.preventDefault();
  });

  // After each decision the page reloads; start on the first item again.
  if (items.length) focusItem(0);
})();
