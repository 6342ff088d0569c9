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

  // "More replies" and "More threads" links lead to the page of the next
  // slice of comments (journal.threads). Here they load it in place instead:
  // the items of that page's list (the replies of the comment the link
  // belongs to, or the later threads) take the link's place. Should that
  // fail, the browser simply follows the link.
  var list = document.querySelector("#comments .comment-list");
  if (!list || !window.fetch || !window.DOMParser) {
    return;
  }
  var baseDepth = Number(list.getAttribute("data-base-depth")) || 0;
  var maxIndent = Number(list.getAttribute("data-max-indent")) || 12;

  function repliesOf(item) {
    if (!item) {
      return null;
    }
    for (var i = 0; i < item.children.length; i += 1) {
      var child = item.children[i];
      if (child.tagName === "OL" && child.classList.contains("comment-replies")) {
        return child;
      }
    }
    return null;
  }

  // The page drew its lists from its own first level; this one may start
  // higher, so past maxIndent levels of it the lists stop stepping in.
  function indentAsHere(item) {
    var lists = item.querySelectorAll("ol.comment-replies");
    for (var i = 0; i < lists.length; i += 1) {
      var depth = Number(lists[i].parentElement.getAttribute("data-depth"));
      lists[i].classList.toggle("comment-replies-flat", depth - baseDepth >= maxIndent);
    }
  }

  function expand(link) {
    var more = link.closest("li");
    if (more.getAttribute("aria-busy") === "true") {
      return;
    }
    more.setAttribute("aria-busy", "true");
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var target = link.getAttribute("data-expand");
        var source = target === "comments"
          ? page.querySelector("#comments .comment-list")
          : repliesOf(page.getElementById(target));
        if (!source) {
          throw new Error("no comments in the page loaded");
        }
        var parent = more.parentNode;
        var first = null;
        Array.prototype.slice.call(source.children).forEach(function (item) {
          // "No comments yet", or a comment already here (posted meanwhile).
          if (item.classList.contains("no-comments") || (item.id && document.getElementById(item.id))) {
            return;
          }
          indentAsHere(item);
          parent.insertBefore(item, more);
          if (!first && item.classList.contains("comment")) {
            first = item;
          }
        });
        parent.removeChild(more);
        if (first) {
          // Keyboard and screen reader users carry on from the first comment loaded.
          first.setAttribute("tabindex", "-1");
          first.focus();
        }
      })
      .catch(function () {
        window.location.href = link.href;
      });
  }

  list.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-expand]");
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    expand(link);
  });
})();
