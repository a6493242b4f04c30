// The options page: the server address and the register token (fields named server_url and token), saved in
// chrome.storage.local unless the store presets them by policy (managed storage). "Test connection" asks the
// server who this token is (GET /api/v1/me, through the service worker). "language" picks the panel's language
// ("" = Chrome's); the page itself switches to it when saved.

/* global I18n, t, useChosenLanguage */

const form = document.getElementById("settings");
const statusLine = document.getElementById("status");

function say(text, kind) {
  statusLine.textContent = text;
  statusLine.className = kind || "";
}

function originPattern(url) {
  const u = new URL(url);
  return u.protocol + "//" + u.hostname + "/*";
}

// Hosts not in the manifest's host_permissions need the optional permission; asking needs this click.
async function ensureHostPermission(url) {
  const origins = [originPattern(url)];
  if (await chrome.permissions.contains({origins})) return true;
  return chrome.permissions.request({origins});
}

async function load() {
  let managed = {};
  try {
    managed = await chrome.storage.managed.get(["server_url", "token", "language"]);
  } catch (e) {
    managed = {};
  }
  const local = await chrome.storage.local.get(["server_url", "token", "language"]);
  for (const name of ["server_url", "token", "language"]) {
    form.elements[name].value = managed[name] || local[name] || "";
    if (managed[name]) {
      form.elements[name].disabled = true;
      document.getElementById("managed").hidden = false;
    }
  }
}

async function save() {
  const serverUrl = form.elements.server_url.value.trim().replace(/\/+$/, "");
  const token = form.elements.token.value.trim();
  let parsed;
  try {
    parsed = new URL(serverUrl);
  } catch (e) {
    say(t("optBadUrl"), "error");
    return false;
  }
  if (!["http:", "https:"].includes(parsed.protocol)) {
    say(t("optBadScheme"), "error");
    return false;
  }
  if (!(await ensureHostPermission(serverUrl))) {
    say(t("optNoPermission"), "error");
    return false;
  }
  const values = {};
  if (!form.elements.server_url.disabled) values.server_url = serverUrl;
  if (!form.elements.token.disabled) values.token = token;
  if (!form.elements.language.disabled) values.language = form.elements.language.value;
  await chrome.storage.local.set(values);
  await translate();
  say(t("optSaved"), "ok");
  return true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await save();
});

document.getElementById("test").addEventListener("click", async () => {
  if (!(await save())) return;
  say(t("optTesting"));
  const answer = await chrome.runtime.sendMessage({type: "testConnection"});
  if (answer && answer.ok) {
    say(t("optConnected", answer.data.server, answer.data.name, answer.data.role), "ok");
  } else {
    say(answer ? answer.error : t("optNoAnswer"), "error");
  }
});

async function translate() {
  await useChosenLanguage();
  I18n.translatePage(document);
}

// The stored values first (a quick read), then the labels; data-ready tells tests the form is settled.
load().then(translate).then(() => {
  document.body.dataset.ready = "1";
});
