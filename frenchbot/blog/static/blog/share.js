/* « Copier le lien »: with the clipboard API the button copies the article's address and says so in a live
   region; without JavaScript (or without the API) the readonly field with the address stays, to copy by hand. */
(function () {
  "use strict";
  document.querySelectorAll("[data-share-copy]").forEach(function (box) {
    var button = box.querySelector("[data-share-button]");
    var input = box.querySelector("[data-share-url]");
    var status = box.querySelector("[data-share-status]");
    if (!button || !input || !status || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(
        function () {
          status.textContent = status.getAttribute("data-copied");
        },
        function () {
          input.select();
          status.textContent = status.getAttribute("data-failed");
        }
      );
    });
  });
})();
