// List pages: a filter sends only the filters that hold a value, so the address bar
// (hx-push-url) and the export link carry a short URL that can be bookmarked and shared.
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.target.matches || !event.target.matches("form.list-filters")) return;
  const data = event.detail.formData;
  for (const name of new Set(data.keys())) {
    const kept = data.getAll(name).filter((value) => value !== "");
    data.delete(name);
    kept.forEach((value) => data.append(name, value));
  }
});
