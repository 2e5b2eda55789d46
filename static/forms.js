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
