/* 一件事 start page: when an item is ticked, refresh the union of fields and materials
   in place (same server rendering as the "更新清单" button; without JS the button works). */
(function () {
  "use strict";
  var form = document.getElementById("start-form");
  var button = document.getElementById("refresh-checklist");
  if (!form || !button || !window.fetch || !window.FormData || !window.DOMParser) {
    return;
  }
  var pending = null;
  function refresh() {
    var data = new FormData(form);
    data.set("op", "refresh");
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("checklist-union");
        var current = document.getElementById("checklist-union");
        if (fresh && current) {
          /* what was typed meanwhile wins over the server's copy */
          current.querySelectorAll("input[name]").forEach(function (input) {
            var twin = fresh.querySelector('input[name="' + input.name + '"]');
            if (twin) {
              twin.value = input.value;
            }
          });
          current.replaceWith(fresh);
        }
      })
      .catch(function () {
        /* aborted or offline: the button still works */
      });
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.name === "items") {
      refresh();
    }
  });
})();
