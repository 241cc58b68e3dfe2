// Keeps the "Closes in …" line of an open consultation current without reloading the page.
(function () {
  var box = document.querySelector("[data-countdown]");
  if (!box) return;
  var closes = new Date(box.getAttribute("data-countdown"));
  var line = box.querySelector("strong");
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }
  function tick() {
    var left = Math.max(0, closes - new Date());
    if (left === 0) { line.textContent = "This consultation has now closed."; return; }
    var minutes = Math.floor(left / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var parts = days ? [plural(days, "day", "days"), plural(hours, "hour", "hours")]
                     : [plural(hours, "hour", "hours"), plural(minutes % 60, "minute", "minutes")];
    line.textContent = "Closes in " + parts.join(", ") + ".";
  }
  line.setAttribute("aria-live", "off");
  tick();
  setInterval(tick, 30000);
})();
