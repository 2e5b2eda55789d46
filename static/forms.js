// Shows the name of the file chosen (or dropped) in each file field; the field works without it.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  var shown = input.parentElement && input.parentElement.querySelector(".file-drop-name");
  if (!shown) return;
  var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
  shown.textContent = names.length ? names.join("、") : shown.getAttribute("data-empty");
  input.parentElement.classList.toggle("chosen", names.length > 0);
});
document.addEventListener("dragover", function (event) {
  var zone = event.target instanceof Element && event.target.closest(".file-drop");
  if (zone) zone.classList.add("dragging");
});
["dragleave", "drop"].forEach(function (type) {
  document.addEventListener(type, function (event) {
    var zone = event.target instanceof Element && event.target.closest(".file-drop");
    if (zone) zone.classList.remove("dragging");
  });
});
// A link to a closed disclosure (「事故を報告」 at the top of a contract) opens it and moves focus into it.
function openTargetedDisclosure() {
  var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
  if (!(target instanceof HTMLDetailsElement)) return;
  target.open = true;
  var first = target.querySelector("input:not([type=hidden]), textarea, select");
  if (first) first.focus();
}
window.addEventListener("hashchange", openTargetedDisclosure);
document.addEventListener("DOMContentLoaded", openTargetedDisclosure);
// Fills a vendor field's suggestions from the server as it is typed; without it the field still
// takes a 法人番号・登録番号・業者番号 or an exact name.
(function () {
  var waiting = new WeakMap();
  var asking = new WeakMap();
  function suggest(input) {
    var typed = input.value.trim();
    var list = input.list;
    if (!typed || !list) return;
    if (asking.has(input)) asking.get(input).abort();
    var request = new AbortController();
    asking.set(input, request);
    fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(typed), {
      signal: request.signal,
      headers: { Accept: "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (vendors) {
        var options = vendors.map(function (vendor) {
          var option = document.createElement("option");
          option.value = vendor.identifier;
          option.textContent = vendor.name;
          return option;
        });
        list.replaceChildren.apply(list, options);
      })
      .catch(function () {});
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-suggest")) return;
    clearTimeout(waiting.get(input));
    waiting.set(input, setTimeout(function () { suggest(input); }, 150));
  });
})();
