// The panel's mapping views: candidates to Select, Create new loyalty account, a walk-in sale's search, and the
// incorrect customer map (unlink with a manager's PIN).
(function () {
  const LB = globalThis.LoyaltyBridge;
  const h = LB.h;
  const t = LB.t;
  const {ADDRESS, MATCH_LABELS, readAddress, fieldErrors} = LB.panelParts;

  Object.assign(LB.Panel.prototype, {
    renderUnlinked(sale, data, note) {
      const who = [sale.customer.first_name, sale.customer.last_name].filter(Boolean).join(" ") ||
        sale.customer.name || "";
      const candidates = data.candidates || [];
      this.show("unlinked", t("notLinkedTitle"), [
        h("p", {}, who ? t("notLinkedNamed", who) : t("notLinked")),
        this.scanField(sale, {autofocus: !candidates.length}),
        candidates.length ? h("h3", {}, t("possibleMatches")) : null,
        candidates.length ? h("ul", {class: "candidates"}, candidates.map((c) => this.candidateItem(sale, c))) :
          h("p", {class: "muted"}, t("noMatches")),
        h("div", {class: "actions"}, h("button", {type: "button", class: "create", autofocus: !candidates.length,
          onclick: () => this.renderCreate(sale, data.prefill, data.requires || [])},
        t("createAccountButton"))),
      ], note);
    },

    candidateItem(sale, c) {
      const a = c.account;
      const why = c.family ? t("matchFamily") : MATCH_LABELS[c.match] ? t(MATCH_LABELS[c.match]) :
        c.match === "search" ? t("matchSearch") : c.match;
      return h("li", {class: "candidate", "data-account-id": a.id},
        h("span", {class: "name"}, a.name), " ",
        h("span", {class: "muted"}, [a.email, a.phone_display || a.phone].filter(Boolean).join(" · ")), " ",
        h("span", {class: "match"}, `(${why})`), " ",
        h("button", {type: "button", class: "select", onclick: () => this.select(sale, a)}, t("select")));
    },

    async select(sale, account) {
      if (!(sale.customer && sale.customer.pos_id)) {
        this.walkIn.set(sale.pos.sale_id, account.id);
        return this.refresh();
      }
      this.say(t("linking"));
      const answer = await LB.send("link", {system: sale.pos.system, customerId: sale.customer.pos_id,
        accountId: account.id});
      if (!answer.ok) return this.say(answer.error, "error");
      this.refresh({text: t("linkedTo", account.name), kind: "ok"});
    },

    renderCreate(sale, prefill, requires) {
      const p = prefill || {};
      const input = (name, label, value, attrs) => h("label", {}, label,
        h("input", {name, value: value || "", ...attrs}));
      const needsAddress = requires.includes("address");
      const known = p.address || {}; // the POS's address of this customer, when it has one: shown, editable
      const showAddress = needsAddress || Boolean(p.address);
      const address = h("fieldset", {class: "address", hidden: !showAddress},
        h("legend", {}, needsAddress ? t("mailingAddressOptionalNow") : t("mailingAddress")),
        ADDRESS.map(([name, label]) => input(`address.${name}`, t(label),
          known[name] || (name === "country" ? "US" : ""), {maxlength: name === "country" ? "2" : "200"})));
      const form = h("form", {class: "create-account"},
        input("first_name", t("firstName"), p.first_name, {required: true, maxlength: "100", autofocus: true}),
        input("last_name", t("lastName"), p.last_name, {required: true, maxlength: "100"}),
        input("email", t("email"), p.email, {type: "email", maxlength: "254"}),
        input("phone", t("phone"), p.phone, {type: "tel", maxlength: "40"}),
        h("label", {}, t("customerLanguage"), h("select", {name: "language"},
          [["en", "English"], ["fr", "Français"]].map(([code, name]) => h("option", {value: code, lang: code,
            selected: code === LB.language()}, name)))),
        h("label", {class: "check"}, h("input", {type: "checkbox", name: "sms_consent"}),
          " " + t("consentSms")),
        h("label", {class: "check"}, h("input", {type: "checkbox", name: "email_consent"}),
          " " + t("consentEmail")),
        showAddress ? null : h("button", {type: "button", class: "link", onclick: (e) => {
          address.hidden = false;
          e.target.remove();
        }}, t("addMailingAddress")),
        address,
        h("div", {class: "duplicates", hidden: true}),
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary"}, t("createAccount")),
          h("button", {type: "button", onclick: () => this.refresh()}, t("back"))));
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        this.createAccount(sale, form, !address.hidden);
      });
      form.addEventListener("input", (e) => { // a changed email or phone is checked for duplicates again
        if (!["email", "phone"].includes(e.target.name) || !form.dataset.duplicatesChecked) return;
        delete form.dataset.duplicatesChecked;
        form.querySelector(".duplicates").hidden = true;
        form.querySelector("button[type=submit]").textContent = t("createAccount");
      });
      this.show("create", t("newAccountTitle"), form);
    },

    // Accounts that already have this email or phone, shown with Select before a duplicate is created; a second
    // click ("Create anyway") creates it (a family member may share a phone).
    async findDuplicates(sale, form) {
      const seen = new Map();
      for (const [field, match] of [["email", "email"], ["phone", "phone"]]) {
        const q = form.elements[field].value.trim();
        if (!q) continue;
        const answer = await LB.send("searchAccounts", {q});
        for (const a of (answer.ok && answer.data.accounts) || []) {
          const same = field === "email" ? (a.email || "").toLowerCase() === q.toLowerCase() : Boolean(a.phone);
          if (same && !seen.has(a.id)) seen.set(a.id, {account: a, match});
        }
      }
      return [...seen.values()];
    },

    async createAccount(sale, form, withAddress) {
      if (!form.dataset.duplicatesChecked) {
        this.say(t("checkingDuplicates"));
        const found = await this.findDuplicates(sale, form);
        form.dataset.duplicatesChecked = "1";
        if (found.length) {
          const box = form.querySelector(".duplicates");
          box.replaceChildren(h("p", {class: "warning"}, found.length === 1 ? t("duplicateOne") : t("duplicateMany")),
          h("ul", {class: "candidates"}, found.map((c) => this.candidateItem(sale, c))));
          box.hidden = false;
          form.querySelector("button[type=submit]").textContent = t("createAnyway");
          this.say("");
          box.querySelector("button.select").focus();
          return;
        }
      }
      const v = (name) => form.elements[name].value.trim() || null;
      const body = {first_name: v("first_name"), last_name: v("last_name"), email: v("email"), phone: v("phone"),
        sms_consent: form.elements.sms_consent.checked, email_consent: form.elements.email_consent.checked,
        language: form.elements.language.value,
        consent_source: "register: asked at checkout"};
      if (withAddress) body.address = readAddress(form);
      const posId = sale.customer && sale.customer.pos_id;
      if (posId) body.link = {system: sale.pos.system, customer_id: posId};
      this.say(t("creating"));
      const answer = await LB.send("createAccount", {account: body});
      if (!answer.ok) return this.say(fieldErrors(answer), "error");
      if (!posId) this.walkIn.set(sale.pos.sale_id, answer.data.id);
      this.refresh({text: t("accountCreated", answer.data.name), kind: "ok"});
    },

    renderWalkIn(sale, note) {
      const results = h("ul", {class: "search-results"});
      const q = h("input", {type: "search", name: "q", autofocus: true, maxlength: "200",
        "aria-label": t("searchPlaceholder"), placeholder: t("searchPlaceholder")});
      const form = h("form", {class: "search"}, q, h("button", {type: "submit"}, t("find")));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        this.say(t("searching"));
        const answer = await LB.send("searchAccounts", {q: q.value});
        if (!answer.ok) return this.say(answer.error, "error");
        const found = answer.data.accounts;
        this.say(found.length ? "" : t("noAccountFound"), found.length ? "" : "error");
        results.replaceChildren(...found.map((a) => this.candidateItem(sale, {account: a, match: "search"})));
      });
      this.show("walkin", t("walkInTitle"), [
        h("p", {}, t("walkInIntro")), form, results,
        this.scanField(sale),
        h("div", {class: "actions"}, h("button", {type: "button", class: "create",
          onclick: () => this.renderCreate(sale, {}, [])}, t("createAccountButton"))),
      ], note);
    },

    renderUnlink(sale, account) {
      const form = h("form", {class: "unlink"},
        h("p", {}, t("unlinkQuestion", account.name)),
        h("p", {class: "muted"}, t("unlinkThenChoose")),
        h("label", {}, t("managerPin"), h("input", {type: "password", name: "manager_pin", inputmode: "numeric",
          autocomplete: "off", required: true, maxlength: "20", autofocus: true})),
        h("label", {}, t("reason"), h("input", {type: "text", name: "reason", placeholder: t("incorrectMap"),
          maxlength: "500"})),
        h("div", {class: "actions"}, h("button", {type: "submit", class: "primary danger"}, t("unlink")),
          h("button", {type: "button", onclick: () => this.refresh()}, t("cancel"))));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        this.say(t("unlinking"));
        const answer = await LB.send("unlink", {system: sale.pos.system, customerId: sale.customer.pos_id,
          reason: form.elements.reason.value.trim(), managerPin: form.elements.manager_pin.value});
        if (!answer.ok) {
          form.elements.manager_pin.value = "";
          return this.say(answer.error, "error");
        }
        this.refresh({text: t("unlinkedFrom", account.name), kind: "ok"});
      });
      this.show("unlink", t("incorrectMap"), form);
    },
  });
})();
