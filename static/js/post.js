// The post page. Progressive enhancement only: everything works without it.
(function () {
  "use strict";
  // A comment that was not posted comes back with an error summary first in
  // the form. Move focus there, so that the reason is what is read out next
  // (the autofocus attribute does not apply when the address has a #target).
  var summary = document.getElementById("error-summary");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
})();
