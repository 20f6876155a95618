/* podpub's show website: small enhancements; every page works without this script.
   - the copy button for the feed address;
   - play links load an episode into the page's player instead of opening the audio file;
   - chapter and transcript times (links ending in #t=SECONDS) seek the player;
   - the current chapter and transcript cue are highlighted while playing.
   Text is only ever set with textContent: nothing from a title becomes markup. */
(function () {
  "use strict";
  var doc = document;
  function all(selector) { return Array.prototype.slice.call(doc.querySelectorAll(selector)); }
  function secondsOf(link) {
    var match = /#t=([0-9]+(?:\.[0-9]+)?)$/.exec(link.getAttribute("href") || "");
    return match ? parseFloat(match[1]) : null;
  }

  all("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    var input = doc.getElementById(button.getAttribute("data-copy"));
    var status = doc.getElementById(button.getAttribute("data-status"));
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        status.textContent = button.getAttribute("data-done");
      }, function () {
        input.select();
        status.textContent = button.getAttribute("data-fail");
      });
    });
  });

  var player = doc.getElementById("player");
  if (!player) { return; }

  function play() {
    var started = player.play();
    if (started && started.catch) { started.catch(function () {}); }
  }
  function seek(seconds, andPlay) {
    player.currentTime = seconds;
    if (andPlay) { play(); }
  }

  // The home and archive pages: one player for every episode in the list.
  var dock = doc.getElementById("dock");
  all("a.play[data-title]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (player.getAttribute("src") !== link.href) {
        player.src = link.href;
        doc.getElementById("now-title").textContent = link.getAttribute("data-title");
      } else if (!player.paused) {
        player.pause();
        return;
      }
      if (dock) { dock.hidden = false; }
      play();
    });
  });

  // The episode page: times that seek, skip buttons, the highlight.
  doc.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.seek") : null;
    if (!link) { return; }
    var seconds = secondsOf(link);
    if (seconds === null) { return; }
    event.preventDefault();
    seek(seconds, true);
  });
  all("button[data-skip]").forEach(function (button) {
    button.parentNode.hidden = false;
    button.addEventListener("click", function () {
      var target = player.currentTime + parseFloat(button.getAttribute("data-skip"));
      seek(Math.max(0, isFinite(player.duration) ? Math.min(target, player.duration) : target), false);
    });
  });

  function track(selector, useEnds) {
    var items = all(selector).map(function (link) {
      var end = parseFloat(link.getAttribute("data-end"));
      return { item: link.closest("li"), start: secondsOf(link), end: isNaN(end) ? Infinity : end };
    });
    var current = null;
    return function (time) {
      var found = null;
      for (var i = 0; i < items.length; i++) {
        if (items[i].start <= time + 0.05) {
          if (!useEnds || time < items[i].end) { found = items[i]; }
        } else { break; }
      }
      if (found === current) { return; }
      if (current) { current.item.classList.remove("current"); current.item.removeAttribute("aria-current"); }
      current = found;
      if (!found) { return; }
      found.item.classList.add("current");
      found.item.setAttribute("aria-current", "true");
      var box = found.item.parentNode;
      if (box.scrollHeight > box.clientHeight) {
        var top = found.item.offsetTop - box.offsetTop;
        if (top < box.scrollTop || top + found.item.offsetHeight > box.scrollTop + box.clientHeight) {
          box.scrollTop = top - box.clientHeight / 3;
        }
      }
    };
  }
  var chapters = track(".chapters a.seek", false);
  var cues = track(".transcript a.seek", true);
  function update() { chapters(player.currentTime); cues(player.currentTime); }
  player.addEventListener("timeupdate", update);
  player.addEventListener("seeked", update);

  // A link to the page with #t=SECONDS starts there (without playing: browsers ask for a click first).
  var start = /^#t=([0-9]+(?:\.[0-9]+)?)$/.exec(location.hash);
  if (start) { seek(parseFloat(start[1]), false); update(); }
})();
