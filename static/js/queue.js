// The moderation queue, enhanced. Every action is a plain form button that works
// without this script; with it, decisions happen in place (the item collapses
// into a line with Undo and focus moves on), counts and claims stay live, and
// single-key shortcuts act on the item that holds the focus. Every sentence it
// writes comes from the page, in the page's language (#queue-words, filled in
// by moderation.views._script_words): nothing is translated here.
(function () {
  "use strict";
  var root = document.getElementById("queue");
  if (!root || !window.fetch) return;
  var form = document.querySelector(".queue-form");
  var help = document.getElementById("keyboard-help");
  var helpToggle = document.getElementById("keyboard-help-toggle");
  var helpClose = document.getElementById("keyboard-help-close");
  var shortcutsBox = document.getElementById("shortcuts-on");
  var announcer = document.getElementById("queue-announcer");
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = tokenInput ? tokenInput.value : "";
  document.body.classList.add("has-keyboard");

  var words = {};
  var wordsScript = document.getElementById("queue-words");
  try { words = JSON.parse(wordsScript.textContent) || {}; } catch (e) { /* no words: say nothing */ }
  function word(key) {
    return typeof words[key] === "string" ? words[key] : "";
  }
  // A sentence with the comment's number in it ("#%(id)s undone; ...").
  function wordWithId(key, id) {
    return word(key).replace("%(id)s", String(id));
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // Single-key shortcuts can be turned off (WCAG 2.1.4); the choice is kept.
  var SHORTCUTS = "moderation.queue.shortcuts";
  var shortcutsOn = true;
  try { shortcutsOn = window.localStorage.getItem(SHORTCUTS) !== "off"; } catch (e) { /* private mode */ }
  if (shortcutsBox) {
    shortcutsBox.checked = shortcutsOn;
    shortcutsBox.addEventListener("change", function () {
      shortcutsOn = shortcutsBox.checked;
      try { window.localStorage.setItem(SHORTCUTS, shortcutsOn ? "on" : "off"); } catch (e) { /* ignore */ }
      announce(word(shortcutsOn ? "shortcutsOn" : "shortcutsOff"));
    });
  }

  function openItems() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-item:not(.is-decided)"));
  }
  function itemOf(node) {
    return node && node.closest ? node.closest(".queue-item") : null;
  }
  function focusedItem() {
    return itemOf(document.activeElement);
  }
  function mark(item) {
    Array.prototype.forEach.call(document.querySelectorAll(".queue-item.is-current"), function (other) {
      if (other !== item) other.classList.remove("is-current");
    });
    if (item) item.classList.add("is-current");
  }
  function focusItem(item) {
    if (!item) return;
    item.focus();
    item.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var items = openItems();
    if (!items.length) return;
    var index = items.indexOf(focusedItem());
    if (index < 0) {
      focusItem(items[step > 0 ? 0 : items.length - 1]);
    } else {
      focusItem(items[Math.max(0, Math.min(items.length - 1, index + step))]);
    }
  }

  // Typing: text fields, text areas, selects and editable content. A checkbox
  // or a button is not typing, so the shortcuts still work there.
  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    if (target.tagName !== "INPUT") return false;
    return !/^(checkbox|radio|button|submit|reset)$/.test(target.type);
  }

  function press(item, action) {
    if (!item) return;
    var button = item.querySelector('button[data-action="' + action + '"]');
    if (button) button.click();
  }

  function openPanel(item, selector) {
    if (!item) return;
    var panel = item.querySelector(selector);
    if (!panel) return;
    panel.open = true;
    var field = panel.querySelector("select, input");
    if (field) field.focus();
  }

  // The help panel: announced by moving focus to its heading, closed with
  // Escape or its button, and focus goes back where it was.
  var beforeHelp = null;
  function toggleHelp(show) {
    if (!help) return;
    if (show === undefined) show = help.hidden;
    help.hidden = !show;
    if (helpToggle) helpToggle.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) {
      beforeHelp = document.activeElement;
      document.getElementById("keyboard-help-title").focus();
    } else if (beforeHelp && beforeHelp.focus) {
      beforeHelp.focus();
    }
  }
  if (helpToggle) helpToggle.addEventListener("click", function () { toggleHelp(); });
  if (helpClose) helpClose.addEventListener("click", function () { toggleHelp(false); });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && help && !help.hidden) {
      toggleHelp(false);
      return;
    }
    if (!shortcutsOn || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var item = focusedItem();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": press(item, "approve"); break;
      case "s": press(item, "spam"); break;
      case "r": openPanel(item, ".reject-panel"); break;
      case "x":
        if (item) {
          var box = item.querySelector('input[name="selected"]');
          if (box) box.checked = !box.checked;
        }
        break;
      case "?": toggleHelp(); break;
      default: return;
    }
    event.preventDefault();
  });

  document.addEventListener("focusin", function (event) {
    var item = itemOf(event.target);
    if (item && !item.classList.contains("is-decided")) {
      mark(item);
      claim(item);
    }
  });

  // --- Acting in place ----------------------------------------------------------

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf },
    }).then(function (response) {
      return response.json().then(
        function (data) { return { ok: response.ok, data: data }; },
        function () { return { ok: false, data: { detail: word("noAnswer") } }; }
      );
    });
  }

  // An item decided: one line saying what happened, with its Undo.
  function collapse(item, result) {
    item.classList.add("is-decided");
    item.classList.remove("is-current");
    while (item.firstChild) item.removeChild(item.firstChild);
    var line = document.createElement("p");
    line.className = "decided-line";
    var text = document.createElement("span");
    text.textContent = result.message + " ";
    line.appendChild(text);
    if (result.undo) {
      var undo = document.createElement("button");
      undo.type = "button";
      undo.className = "small-button undo-button";
      undo.textContent = word("undo");
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " #" + result.comment;
      undo.appendChild(hidden);
      undo.setAttribute("data-undo", result.undo);
      line.appendChild(undo);
    }
    item.appendChild(line);
  }

  function noteOn(item, message) {
    var note = item.querySelector(".item-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "item-note";
      note.setAttribute("role", "alert");
      item.insertBefore(note, item.firstChild);
    }
    note.textContent = message;
  }

  function itemsFor(submitter) {
    if (submitter.name === "act") return [itemOf(submitter)];
    return Array.prototype.slice.call(form.querySelectorAll('input[name="selected"]:checked')).map(itemOf);
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!submitter || !submitter.name) return;
      event.preventDefault();
      var acted = itemsFor(submitter).filter(Boolean);
      var last = acted[acted.length - 1];
      var data = new FormData(form, submitter);
      submitter.disabled = true;
      post(form.action, data).then(function (answer) {
        submitter.disabled = false;
        if (!answer.ok) {
          announce(answer.data.detail || word("nothingChanged"));
          if (acted.length === 1) noteOn(acted[0], answer.data.detail || word("nothingChanged"));
          return;
        }
        answer.data.outcomes.forEach(function (result) {
          var item = document.getElementById("q" + result.comment);
          if (!item) return;
          if (result.status === "done") collapse(item, result);
          else noteOn(item, result.message);
        });
        announce(answer.data.detail || "");
        // Focus the next open item after the last one acted on.
        var following = null;
        var all = Array.prototype.slice.call(document.querySelectorAll(".queue-item"));
        for (var i = all.indexOf(last) + 1; i < all.length; i++) {
          if (!all[i].classList.contains("is-decided")) { following = all[i]; break; }
        }
        if (following) focusItem(following);
        else if (last) focusItem(last);
        poll();
      }, function () {
        submitter.disabled = false;
        announce(word("unreachable"));
      });
    });
  }

  // Undo, from a collapsed line: the item comes back as the queue now shows it.
  function restore(item, commentId) {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("q" + commentId);
        if (fresh) {
          var adopted = document.importNode(fresh, true);
          item.parentNode.replaceChild(adopted, item);
          focusItem(adopted);
        } else {
          var line = item.querySelector(".decided-line span");
          if (line) line.textContent = wordWithId("undoneGone", commentId) + " ";
        }
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-undo]") : null;
    if (!button) return;
    var item = itemOf(button);
    button.disabled = true;
    var body = new FormData();
    post(button.getAttribute("data-undo"), body).then(function (answer) {
      announce(answer.data.detail || "");
      if (!answer.ok) {
        button.disabled = false;
        if (item) noteOn(item, answer.data.detail || word("nothingUndone"));
        return;
      }
      if (item) restore(item, answer.data.comment);
      poll();
    });
  });

  // Undo forms of the Decided tab, in place.
  Array.prototype.forEach.call(document.querySelectorAll(".decided-list .undo-form"), function (undoForm) {
    undoForm.addEventListener("submit", function (event) {
      event.preventDefault();
      post(undoForm.action, new FormData(undoForm)).then(function (answer) {
        var done = document.createElement("p");
        done.className = answer.ok ? "muted" : "item-note";
        done.setAttribute("role", answer.ok ? "status" : "alert");
        done.textContent = answer.data.detail || "";
        undoForm.parentNode.replaceChild(done, undoForm);
        poll();
      });
    });
  });

  // "Select all on this page", in place (without the script it is a link that
  // draws the page with every box ticked).
  var selectAll = document.getElementById("select-all");
  if (selectAll && form) {
    selectAll.setAttribute("role", "button");
    selectAll.addEventListener("click", function (event) {
      event.preventDefault();
      var boxes = form.querySelectorAll('.queue-item:not(.is-decided) input[name="selected"]');
      var tick = Array.prototype.some.call(boxes, function (box) { return !box.checked; });
      Array.prototype.forEach.call(boxes, function (box) { box.checked = tick; });
      selectAll.textContent = word(tick ? "selectNone" : "selectAll");
      var selected = words.selected || {};
      announce(tick ? (selected[String(boxes.length)] || "") : word("noneSelected"));
    });
  }

  // --- Claims: "Dan is looking at this" ------------------------------------------

  var claimed = {};
  var claimUrl = root.getAttribute("data-claim-url");
  function claim(item) {
    if (!item.hasAttribute("data-claims")) return;
    var id = item.getAttribute("data-comment");
    var now = Date.now();
    if (claimed[id] && now - claimed[id] < 60000) return;
    claimed[id] = now;
    post(claimUrl.replace("/0/", "/" + id + "/"), new FormData());
  }

  // --- Live counts, new arrivals and the others' claims -------------------------

  var countsUrl = root.getAttribute("data-counts-url");
  var since = root.getAttribute("data-since") || "0";
  var journal = root.getAttribute("data-journal") || "";
  var seconds = parseInt(root.getAttribute("data-poll-seconds"), 10) || 15;
  var etag = null;
  var lastUrl = null;

  function countsQuery() {
    var pairs = openItems().map(function (item) {
      return item.getAttribute("data-journal") + ":" + item.getAttribute("data-comment");
    });
    return countsUrl + "?since=" + encodeURIComponent(since) +
      "&journal=" + encodeURIComponent(journal) + "&items=" + pairs.join(",");
  }

  function show(data) {
    Object.keys(data.tabs).forEach(function (tab) {
      var count = root.querySelector('[data-count="' + tab + '"]');
      if (count) count.textContent = data.tabs[tab];
    });
    var badge = document.getElementById("queue-badge");
    if (badge) badge.textContent = data.tabs.held;
    var bar = document.getElementById("new-items");
    if (bar) {
      // "3 new — show", worded by the server in the page's language.
      var link = document.getElementById("new-items-link");
      if (data["new"] > 0) {
        var text = data.new_text || "";
        if (link && link.textContent !== text) link.textContent = text;
        bar.hidden = false;
      } else {
        bar.hidden = true;
      }
    }
    openItems().forEach(function (item) {
      var line = item.querySelector(".claim");
      if (!line) return;
      var text = data.claims[item.getAttribute("data-comment")] || "";
      if (line.textContent !== text) line.textContent = text;
      line.hidden = !text;
    });
  }

  function poll() {
    var url = countsQuery();
    var headers = { "Accept": "application/json" };
    if (etag && url === lastUrl) headers["If-None-Match"] = etag;
    fetch(url, { credentials: "same-origin", headers: headers })
      .then(function (response) {
        if (response.status !== 200) return null;
        etag = response.headers.get("ETag");
        lastUrl = url;
        return response.json();
      })
      .then(function (data) { if (data) show(data); }, function () { /* try again later */ });
  }
  window.setInterval(poll, seconds * 1000);

  // Focus moves to an item only after an action (the page came back to it).
  var landing = /^#q\d+$/.test(window.location.hash) ? document.querySelector(window.location.hash) : null;
  if (landing) focusItem(landing);
})();
