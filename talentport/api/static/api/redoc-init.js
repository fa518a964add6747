/* Redoc on /api/v1/redoc under the site's Content-Security-Policy (no 'unsafe-inline').

   Redoc writes its styles as <style> elements from script (styled-components, and the
   scrollbar CSS its bundle inserts as soon as it loads).  This file is loaded before the
   bundle with the request's nonce: it gives that nonce to every <style> element a script
   of this page inserts, and hands it to Redoc too.  <style> markup in the page itself
   still needs the nonce in the HTML, so an injected one stays refused.

   The schema URL and the settings come from data attributes of the container. */
(function () {
  "use strict";
  var script = document.currentScript;
  var nonce = script && script.nonce;
  if (nonce) {
    var withNonce = function (node) {
      if (node && node.nodeName === "STYLE" && !node.nonce) {
        node.nonce = nonce;
      }
    };
    var appendChild = Node.prototype.appendChild;
    var insertBefore = Node.prototype.insertBefore;
    Node.prototype.appendChild = function (node) {
      withNonce(node);
      return appendChild.call(this, node);
    };
    Node.prototype.insertBefore = function (node, reference) {
      withNonce(node);
      return insertBefore.call(this, node, reference);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("redoc-container");
    if (!container || !window.Redoc) {
      return;
    }
    var raw = container.getAttribute("data-settings");
    var settings = raw ? JSON.parse(raw) : {};
    if (nonce) {
      settings.nonce = nonce;
    }
    window.Redoc.init(container.getAttribute("data-schema-url"), settings, container);
  });
})();
