// The search page: Pagefind's UI, told the site's base path, started with ?q= from the header form.
window.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("search");
  if (!element || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#search",
    baseUrl: element.dataset.baseUrl,
    bundlePath: element.dataset.baseUrl + "pagefind/",
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
  // Pagefind's box has only a placeholder and a title: give it a real accessible name.
  var input = element.querySelector("input[type=text], input[type=search]");
  if (input) input.setAttribute("aria-label", "Search the digest");
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) ui.triggerSearch(query);
});
