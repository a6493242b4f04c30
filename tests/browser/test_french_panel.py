"""The panel in French on a Chrome whose own language is English: the store set the extension to French on its
options page. Commit, the multi-purchase reason and a redemption all read in Quebec French, the server's messages
come back in French (Accept-Language), and what is stored stays the same as in English (reason codes)."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select

from posdriver import OPTIONS_URL, Pos, configure_extension
from test_rewards_and_queue import FARMINA, sam_with_a_full_farmina_card  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

ACANA = "ACANA 25 lb Frequent Buyer"
ENGLISH = ["Commit to Loyalty", "Cards", "Rewards available", "Current uncommitted purchases", "Committed",
           "Why more than one?", "Maximum value to discount", "Reward redeemed", "No items on current sale"]


@pytest.fixture
def pos_fr(browser, store):
    assert browser.execute_script("return navigator.language").startswith("en"), "Chrome itself is in English"
    configure_extension(browser, store.url, store.token, language="fr")
    return Pos(browser, store.url).open()


def no_english(pos):
    shown = pos.text()
    assert not [s for s in ENGLISH if s in shown], shown


def test_options_page_follows_the_chosen_language(browser, store):
    configure_extension(browser, store.url, store.token, language="fr")
    browser.get(OPTIONS_URL)
    pos = Pos(browser, store.url)
    pos.wait(lambda d: d.find_element(By.ID, "test").text == "Tester la connexion")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=server_url]").text == "Adresse du serveur"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    browser.find_element(By.ID, "test").click()
    pos.wait(lambda d: d.find_element(By.ID, "status").text.startswith("Connecté à"))


def test_commit_with_a_reason_in_french(pos_fr, store):
    pos = pos_fr
    assert pos.button().text == "Enregistrer à la fidélité"
    pos.attach("c-1001")
    pos.add("p-acana-25", times=3)
    pos.panel()
    pos.wait_text("Dana Whitfield", "Cartes à points", f"{ACANA} 7 sur 12", "Achats en cours non enregistrés",
                  f"+3 sur {ACANA}", "Récompenses disponibles : 0")
    no_english(pos)

    # Preview already knows a reason is needed: the drop-down is in the account view, before the first click.
    select = pos.find("select[name^=reason-]")
    labels = [o.text for o in select.find_elements(By.TAG_NAME, "option")]
    assert labels == ["Choisissez une raison…", "Plusieurs animaux", "Faire des provisions", "Achat pour un autre foyer",
                      "Autre"]
    select.find_element(By.XPATH, "option[.='Plusieurs animaux']").click()
    pos.click("button.commit")

    pos.wait_text("Tout ce qui est sur cette vente est enregistré.")
    assert pos.status().startswith("Enregistré :") and "10 sur 12" in pos.status()
    no_english(pos)
    with store.app.app_context():
        from loyalty.models import Punch
        assert Punch.select().order_by(Punch.id.desc()).first().reason == "Multiple pets", "stored as configured"


def test_redeem_in_french_with_money_as_in_quebec(pos_fr, store, sam_with_a_full_farmina_card):  # noqa: F811
    pos = pos_fr
    pos.attach("c-1005")
    pos.add("p-farmina-26")
    pos.panel()
    pos.wait_text("Récompenses disponibles : 1", f"{FARMINA} 10 sur 10 : récompense disponible")
    pos.click("button.use-reward")

    pos.wait_text(f"Récompense : {FARMINA}", "Valeur maximale du rabais : 102,99 $",
                  "Le fabricant exige d'abord : adresse du client")
    form = pos.find("form.redeem")
    for name, text in (("address.line1", "9 rue des Érables"), ("address.city", "Québec"),
                       ("address.region", "QC"), ("address.postal_code", "G1R 4P5")):
        form.find_element(By.CSS_SELECTOR, f"input[name='{name}']").send_keys(text)
    pos.click("button.redeem-button")

    # The demo POS takes the discount in the same click.
    pos.wait_text("Récompense échangée : un rabais de 102,99 $ est appliqué à", css=".status")
    pos.wait_text("Récompenses disponibles : 0")
    no_english(pos)


def test_server_errors_come_back_in_french(browser, store):
    configure_extension(browser, store.url, "lb_revoked-or-mistyped", language="fr")
    pos = Pos(browser, store.url).open()
    pos.attach("c-1001")
    pos.panel()
    pos.wait_text("Le serveur a refusé le jeton de la caisse.", css=".error-text")
    assert pos.find("button").text  # the panel is drawn
    assert "Réessayer" in pos.text()


def _staff_app_language(browser, store, language):
    browser.get(store.url + "/signin")
    Select(browser.find_element(By.CSS_SELECTOR, "form.language select")).select_by_value(language)
    browser.find_element(By.CSS_SELECTOR, "form.language button").click()
    Pos(browser, store.url).wait(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == language)


def test_the_demo_pos_speaks_french_when_the_staff_app_does(browser, store):
    """A French store trying the demo: the register's words and prices in French, the sale still committed."""
    _staff_app_language(browser, store, "fr")
    try:
        pos = Pos(browser, store.url).open()
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
        assert browser.find_element(By.CSS_SELECTOR, ".btn--pay").text == "Payer"
        assert browser.find_element(By.CSS_SELECTOR, ".sale-list--empty").text == \
            "Ajoutez des produits pour commencer la vente"
        price = browser.find_element(By.CSS_SELECTOR, "[data-product-id=p-acana-25] .product-price").text
        assert price.replace("\u00a0", " ") == "94,99 $"
        pos.add("p-acana-25", times=2)
        assert browser.find_element(By.CSS_SELECTOR, ".sale-total").text.replace("\u00a0", " ") == "Total 189,98 $"
        assert [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".li-remove")] == ["Retirer"]
        browser.find_element(By.CSS_SELECTOR, ".btn--pay").click()
        pos.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".completed-sale"))
        done = browser.find_element(By.CSS_SELECTOR, ".completed-sale").text.replace("\u00a0", " ")
        assert done.startswith("Vente demo-") and "189,98 $" in done and done.endswith("Remboursement"), done
    finally:
        _staff_app_language(browser, store, "en")
