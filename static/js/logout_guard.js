// The site's logout clears this phone's storage (Clear-Site-Data), the field app's records not yet sent included:
// when some wait, the logout form (data-logout-guard="question with {count}") asks first. No inline script (CSP).
(() => {
  async function waitingFieldRecords() {
    try {
      if (!window.indexedDB || !indexedDB.databases) return 0;
      const names = (await indexedDB.databases()).map((database) => database.name);
      if (!names.includes("luocun-field")) return 0;
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open("luocun-field");
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      if (!db.objectStoreNames.contains("queue")) {
        db.close();
        return 0;
      }
      const count = await new Promise((resolve, reject) => {
        const request = db.transaction("queue", "readonly").objectStore("queue").count();
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      db.close();
      return count;
    } catch (error) {
      return 0;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches || !form.matches("form[data-logout-guard]") || form.dataset.checked === "yes") return;
    event.preventDefault();
    waitingFieldRecords().then((count) => {
      if (count === 0 || window.confirm(form.dataset.logoutGuard.replace("{count}", String(count)))) {
        form.dataset.checked = "yes";
        form.submit();
      }
    });
  });
})();
