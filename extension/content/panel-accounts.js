// The panel's mapping views: candidates to Select, Create new loyalty account, a walk-in sale's search, and the
// incorrect customer map (unlink with a manager's PIN).
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const {ADDRESS, MATCH_LABELS, readAddress, fieldErrors} = LB.panelParts;

  Object.assign(LB.Panel.prototype, {
    renderUnlinked(sale, data, note) {
      const who = [sale.customer.first_name, sale.customer.last_name].filter(Boolean).join(" ") || "This customer";
      const candidates = data.candidates || [];
      this.show("unlinked", "Not linked yet", [
        h("p", {}, `${who} (POS customer) is not linked to a loyalty account.`),
        this.scanField(sale, {autofocus: !candidates.length}),
        candidates.length ? h("h3", {}, "Possible matches") : null,
        candidates.length ? h("ul", {class: "candidates"}, candidates.map((c) => this.candidateItem(sale, c))) :
          h("p", {class: "muted"}, "No account matches this customer's email, phone or name."),
        h("div", {class: "actions"}, h("button", {type: "button", class: "create", autofocus: !candidates.length,
          onclick: () => this.renderCreate(sale, data.prefill, data.requires || [])},
        "Create new loyalty account")),
      ], note);
    },

    candidateItem(sale, c) {
      const a = c.account;
      const why = c.family ? "family: shares this phone" : MATCH_LABELS[c.match] || c.match;
      return h("li", {class: "candidate", "data-account-id": a.id},
        h("span", {class: "name"}, a.name), " ",
        h("span", {class: "muted"}, [a.email, a.phone].filter(Boolean).join(" · ")), " ",
        h("span", {class: "match"}, `(${why})`), " ",
        h("button", {type: "button", class: "select", onclick: () => this.select(sale, a)}, "Select"));
    },

    async select(sale, account) {
      if (!(sale.customer && sale.customer.pos_id)) {
        this.walkIn.set(sale.pos.sale_id, account.id);
        return this.refresh();
      }
      this.say("Linking…");
      const answer = await LB.send("link", {system: sale.pos.system, customerId: sale.customer.pos_id,
        accountId: account.id});
      if (!answer.ok) return this.say(answer.error, "error");
      this.refresh({text: `Linked to ${account.name}.`, kind: "ok"});
    },

    renderCreate(sale, prefill, requires) {
      const p = prefill || {};
      const input = (name, label, value, attrs) => h("label", {}, label,
        h("input", {name, value: value || "", ...attrs}));
      const needsAddress = requires.includes("address");
      const address = h("fieldset", {class: "address", hidden: !needsAddress},
        h("legend", {}, needsAddress ? "Mailing address (a program requires it)" : "Mailing address"),
        ADDRESS.map(([name, label]) => input(`address.${name}`, label, name === "country" ? "US" : "",
          {maxlength: name === "country" ? "2" : "200"})));
      const form = h("form", {class: "create-account"},
        input("first_name", "First name", p.first_name, {required: true, maxlength: "100", autofocus: true}),
        input("last_name", "Last name", p.last_name, {required: true, maxlength: "100"}),
        input("email", "Email", p.email, {type: "email", maxlength: "254"}),
        input("phone", "Phone", p.phone, {type: "tel", maxlength: "40"}),
        h("label", {class: "check"}, h("input", {type: "checkbox", name: "sms_consent"}),
          " The customer agrees to loyalty text messages"),
        h("label", {class: "check"}, h("input", {type: "checkbox", name: "email_consent"}),
          " The customer agrees to loyalty emails"),
        needsAddress ? null : h("button", {type: "button", class: "link", onclick: (e) => {
          address.hidden = false;
          e.target.remove();
        }}, "Add a mailing address"),
        address,
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary"}, "Create account"),
          h("button", {type: "button", onclick: () => this.refresh()}, "Back")));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.createAccount(sale, form, !address.hidden);
      });
      this.show("create", "New loyalty account", form);
    },

    async createAccount(sale, form, withAddress) {
      const v = (name) => form.elements[name].value.trim() || null;
      const body = {first_name: v("first_name"), last_name: v("last_name"), email: v("email"), phone: v("phone"),
        sms_consent: form.elements.sms_consent.checked, email_consent: form.elements.email_consent.checked,
        consent_source: "register: asked at checkout"};
      if (withAddress) body.address = readAddress(form);
      const posId = sale.customer && sale.customer.pos_id;
      if (posId) body.link = {system: sale.pos.system, customer_id: posId};
      this.say("Creating…");
      const answer = await LB.send("createAccount", {account: body});
      if (!answer.ok) return this.say(fieldErrors(answer), "error");
      if (!posId) this.walkIn.set(sale.pos.sale_id, answer.data.id);
      this.refresh({text: `Account created for ${answer.data.name}.`, kind: "ok"});
    },

    renderWalkIn(sale, note) {
      const results = h("ul", {class: "search-results"});
      const q = h("input", {type: "search", name: "q", autofocus: true, maxlength: "200",
        "aria-label": "Phone, email or name", placeholder: "Phone, email or name"});
      const form = h("form", {class: "search"}, q, h("button", {type: "submit"}, "Find"));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        this.say("Searching…");
        const answer = await LB.send("searchAccounts", {q: q.value});
        if (!answer.ok) return this.say(answer.error, "error");
        const found = answer.data.accounts;
        this.say(found.length ? "" : "No loyalty account found.", found.length ? "" : "error");
        results.replaceChildren(...found.map((a) => this.candidateItem(sale, {account: a, match: "search"})));
      });
      this.show("walkin", "Walk-in sale", [
        h("p", {}, "No POS customer on this sale. Find the loyalty account by phone or email:"), form, results,
        this.scanField(sale),
        h("div", {class: "actions"}, h("button", {type: "button", class: "create",
          onclick: () => this.renderCreate(sale, {}, [])}, "Create new loyalty account")),
      ], note);
    },

    renderUnlink(sale, account) {
      const form = h("form", {class: "unlink"},
        h("p", {}, `Unlink ${account.name} from this POS customer? A manager must approve with their PIN.`),
        h("label", {}, "Manager PIN", h("input", {type: "password", name: "manager_pin", inputmode: "numeric",
          autocomplete: "off", required: true, maxlength: "20", autofocus: true})),
        h("label", {}, "Reason", h("input", {type: "text", name: "reason", value: "Incorrect customer map",
          required: true, maxlength: "500"})),
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary danger"}, "Unlink"),
          h("button", {type: "button", onclick: () => this.refresh()}, "Cancel")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        this.say("Unlinking…");
        const answer = await LB.send("unlink", {system: sale.pos.system, customerId: sale.customer.pos_id,
          reason: form.elements.reason.value.trim(), managerPin: form.elements.manager_pin.value});
        if (!answer.ok) {
          form.elements.manager_pin.value = "";
          return this.say(answer.error, "error");
        }
        this.refresh({text: `Unlinked from ${account.name}. Choose the right account for this customer.`,
          kind: "ok"});
      });
      this.show("unlink", "Incorrect customer map", form);
    },
  });
})();
