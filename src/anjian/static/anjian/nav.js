// The side navigation remembers which groups this browser collapsed (localStorage).
// Loaded right after the sidebar without `defer`, so the remembered groups are closed
// before the first paint; the group holding the current page always opens.
(function () {
  "use strict";
  var KEY = "anjian.nav.collapsed";

  function load() {
    try {
      var value = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (e) {
      return [];
    }
  }

  function save(closed) {
    try {
      localStorage.setItem(KEY, JSON.stringify(closed));
    } catch (e) {
      // private mode or storage full: the state is simply not remembered
    }
  }

  var closed = load();
  document.querySelectorAll("#app-sidebar [data-nav-group]").forEach(function (group) {
    if (closed.indexOf(group.dataset.navGroup) < 0 || group.querySelector(".active")) return;
    group.querySelector(".collapse").classList.remove("show");
    var heading = group.querySelector(".app-nav-heading");
    heading.classList.add("collapsed");
    heading.setAttribute("aria-expanded", "false");
  });

  // Bootstrap's collapse events bubble; remember the change as it starts.
  function remember(event, isClosed) {
    var group = event.target.closest && event.target.closest("#app-sidebar [data-nav-group]");
    if (!group) return;
    var name = group.dataset.navGroup;
    var names = load().filter(function (n) { return n !== name; });
    if (isClosed) names.push(name);
    save(names);
  }
  document.addEventListener("hide.bs.collapse", function (e) { remember(e, true); });
  document.addEventListener("show.bs.collapse", function (e) { remember(e, false); });
})();
