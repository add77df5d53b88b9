// The booking calendar shows times in the visitor's zone: on a first visit (no zone in the address), the
// browser's zone is put in the select and the calendar reloads in it. The select stays there to change it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-tz-form]");
  if (!form || new URLSearchParams(window.location.search).has("tz")) return;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  var select = form.querySelector("select[name=tz]");
  if (!zone || !select || select.value === zone) return;
  var known = Array.prototype.some.call(select.options, function (option) {
    return option.value === zone;
  });
  if (!known) select.add(new Option(zone, zone));
  select.value = zone;
  form.submit();
})();
