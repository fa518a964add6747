/* TalentPort portal — small progressive enhancements. Every page works without it. */
(function () {
  "use strict";

  // 打印 buttons
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // District select that depends on the city select: show only the districts of
  // the chosen city.  Without JavaScript every district stays listed (grouped by
  // city) and the server checks the combination.
  document.querySelectorAll("select[data-depends-on]").forEach(function (child) {
    var parent = document.getElementById(child.getAttribute("data-depends-on"));
    if (!parent) {
      return;
    }
    function sync() {
      var city = parent.value;
      Array.prototype.forEach.call(child.querySelectorAll("option[data-city]"), function (option) {
        var visible = !city || option.getAttribute("data-city") === city;
        option.hidden = !visible;
        option.disabled = !visible;
      });
      Array.prototype.forEach.call(child.querySelectorAll("optgroup"), function (group) {
        var any = group.querySelector("option:not([disabled])");
        group.hidden = !any;
      });
      var selected = child.options[child.selectedIndex];
      if (selected && selected.disabled) {
        child.value = "";
      }
    }
    parent.addEventListener("change", sync);
    sync();
  });
})();
