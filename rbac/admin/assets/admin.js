// Progressive enhancement only: every page works without it.
// Avatar preview before upload, and a confirmation before deleting.
(function () {
  "use strict";
  var input = document.getElementById("avatar");
  var img = document.getElementById("avatar-preview");
  if (input && img) {
    input.addEventListener("change", function () {
      if (input.files && input.files[0]) {
        img.src = URL.createObjectURL(input.files[0]);
      }
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) {
        e.preventDefault();
      }
    });
  });
})();
