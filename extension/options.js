// The options page: the server address and the register token (fields named server_url and token), saved in
// chrome.storage.local unless the store presets them by policy (managed storage). "Test connection" asks the
// server who this token is (GET /api/v1/me, through the service worker).

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
    managed = await chrome.storage.managed.get(["server_url", "token"]);
  } catch (e) {
    managed = {};
  }
  const local = await chrome.storage.local.get(["server_url", "token"]);
  for (const name of ["server_url", "token"]) {
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
    say("The server address is not a valid URL (e.g. https://loyalty.example.com).", "error");
    return false;
  }
  if (!["http:", "https:"].includes(parsed.protocol)) {
    say("The server address must start with https:// (or http:// on this computer).", "error");
    return false;
  }
  if (!(await ensureHostPermission(serverUrl))) {
    say("Chrome did not allow the extension to reach that server, so it was not saved.", "error");
    return false;
  }
  const values = {};
  if (!form.elements.server_url.disabled) values.server_url = serverUrl;
  if (!form.elements.token.disabled) values.token = token;
  await chrome.storage.local.set(values);
  say("Saved.", "ok");
  return true;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await save();
});

document.getElementById("test").addEventListener("click", async () => {
  if (!(await save())) return;
  say("Testing…");
  const answer = await chrome.runtime.sendMessage({type: "testConnection"});
  if (answer && answer.ok) {
    say(`Connected to ${answer.data.server} as "${answer.data.name}" (${answer.data.role}).`, "ok");
  } else {
    say(answer ? answer.error : "The extension did not answer.", "error");
  }
});

load();
