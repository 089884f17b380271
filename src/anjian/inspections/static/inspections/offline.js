// An inspection survives a dropped connection: answers live in localStorage and
// photos in IndexedDB until the server confirms; the submission carries the id the
// page was opened with, so sending it again never creates anything twice.
(function () {
  "use strict";
  const form = document.getElementById("inspection-form");
  if (!form) return;
  const key = form.dataset.storageKey;
  const status = document.getElementById("offline-status");
  const button = form.querySelector("[type=submit]");
  const csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  let retryTimer = null;

  function say(text, kind) {
    status.textContent = text;
    status.className = "alert alert-" + (kind || "warning");
  }

  // --- photos in IndexedDB -------------------------------------------------
  function db() {
    return new Promise(function (resolve, reject) {
      const request = indexedDB.open("anjian-inspections", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("photos"); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function idb(mode, action) {
    return db().then(function (database) {
      return new Promise(function (resolve, reject) {
        const tx = database.transaction("photos", mode);
        const result = action(tx.objectStore("photos"));
        tx.oncomplete = function () { resolve(result && result.result); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }
  const photoKey = function (name) { return key + ":" + name; };
  function storePhotos(input) {
    const files = Array.from(input.files || []);
    return idb("readwrite", function (store) { return store.put(files, photoKey(input.name)); })
      .catch(function () {});
  }
  function storedPhotos(name) {
    return idb("readonly", function (store) { return store.get(photoKey(name)); })
      .catch(function () { return undefined; });
  }
  function clearPhotos() {
    const inputs = form.querySelectorAll("input[type=file]");
    return idb("readwrite", function (store) {
      inputs.forEach(function (input) { store.delete(photoKey(input.name)); });
    }).catch(function () {});
  }

  // --- answers in localStorage ---------------------------------------------
  function save() {
    const values = {};
    Array.from(form.elements).forEach(function (el) {
      if (!el.name || el.type === "file" || el.name === "csrfmiddlewaretoken") return;
      if (el.type === "radio") { if (el.checked) values[el.name] = el.value; return; }
      if (el.type === "select-multiple") {
        values[el.name] = Array.from(el.selectedOptions).map(function (o) { return o.value; });
        return;
      }
      values[el.name] = el.value;
    });
    try { localStorage.setItem(key, JSON.stringify({ values: values, savedAt: Date.now() })); } catch (e) { /* full: the form still works online */ }
  }
  function restore() {
    let saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.values) return false;
    Object.keys(saved.values).forEach(function (name) {
      const value = saved.values[name];
      form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
        if (el.type === "radio") el.checked = el.value === value;
        else if (el.type === "select-multiple") {
          Array.from(el.options).forEach(function (o) { o.selected = value.indexOf(o.value) >= 0; });
        } else el.value = value;
      });
    });
    return true;
  }

  // --- position ---------------------------------------------------------------
  function locate() {
    const note = document.getElementById("position-status");
    if (!navigator.geolocation) { note.textContent = "定位：此设备不支持"; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.latitude.value = pos.coords.latitude.toFixed(6);
      form.elements.longitude.value = pos.coords.longitude.toFixed(6);
      note.textContent = "定位：" + pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
      save();
    }, function () { note.textContent = "定位：未获取（可继续检查）"; }, { timeout: 10000 });
  }

  // --- reopening without a connection ----------------------------------------
  function keepForOffline() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/inspections/sw.js", { scope: "/inspections/" })
        .catch(function () {});
    }
    if (!window.caches) return;
    const urls = [window.location.href];
    document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (el) {
      urls.push(el.href || el.src);
    });
    caches.open("anjian-inspections-v1")
      .then(function (cache) { return cache.addAll(urls); })
      .then(function () { form.dataset.offlineReady = "1"; })
      .catch(function () {});
  }

  // --- sending ----------------------------------------------------------------
  function showErrors(errors) {
    form.querySelectorAll(".inspection-item").forEach(function (card) { card.classList.remove("border-danger"); });
    const messages = [];
    Object.keys(errors).forEach(function (name) {
      messages.push(errors[name].join("；"));
      const match = /^(note|photos)_(\d+)$/.exec(name);
      if (match) {
        const card = form.querySelector(".inspection-item[data-item='" + match[2] + "']");
        if (card) card.classList.add("border-danger");
      }
    });
    say("未提交：" + messages.join("；"), "danger");
  }
  function waitForConnection() {
    say("网络中断：检查结果已保存在本机，恢复连接后自动提交，请勿重复填写。");
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, 15000);
    window.addEventListener("online", send, { once: true });
  }
  async function send() {
    clearTimeout(retryTimer);
    save();
    button.disabled = true;
    const data = new FormData(form);
    for (const input of form.querySelectorAll("input[type=file]")) {
      if (input.files && input.files.length) continue;
      const stored = await storedPhotos(input.name);
      (stored || []).forEach(function (file) { data.append(input.name, file, file.name || "photo.jpg"); });
    }
    let response;
    try {
      response = await fetch(window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf },
      });
    } catch (e) {
      button.disabled = false;
      waitForConnection();
      return;
    }
    button.disabled = false;
    if (response.ok) {
      const body = await response.json();
      localStorage.removeItem(key);
      await clearPhotos();
      say("已提交。", "success");
      window.location.href = body.url;
    } else if (response.status === 400) {
      showErrors((await response.json()).errors || {});
    } else if (response.status === 403) {
      say("登录已失效：请在新窗口重新登录后回到本页提交，检查结果已保存在本机。", "danger");
    } else {
      waitForConnection();
    }
  }

  if (restore()) {
    say("已恢复本机保存的未提交检查（照片如已选择也会一并提交）。", "info");
  } else if (window.crypto && crypto.randomUUID) {
    // A new inspection gets its own id here, not the one in a page copy served offline.
    form.elements.client_id.value = crypto.randomUUID();
    form.elements.started_at.value = new Date().toISOString();
  }
  save();
  keepForOffline();
  locate();
  form.addEventListener("change", function (event) {
    if (event.target.type === "file") storePhotos(event.target);
    save();
  });
  form.addEventListener("input", save);
  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
})();
