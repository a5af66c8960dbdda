//! The words, tried on reasons merchants write: each language's ways of saying
//! fraud caught, harmless reasons in every language shown.

use super::*;

#[test]
fn each_languages_ways_of_saying_fraud_are_caught() {
    for reason in [
        "Commande frauduleuse",
        "Paiement refusé par la banque",
        "Carte volée",
        "Risque élevé",
        "Soupçon de fraude",
        "RÉTROFACTURATION",
        "Pago rechazado",
        "Tarjeta robada",
        "Sospecha de fraude",
        "Riesgo alto",
        "Contracargo del banco",
        "Pago denegado",
        "Carta rubata",
        "Sospetta frode",
        "Riaddebito aperto dal cliente",
        "Pagamento rifiutato",
        "Pagamento reprovado na análise antifraude",
        "Cartão clonado",
        "Suspeita de golpe",
        "Podejrzenie oszustwa",
        "Płatność odrzucona przez bank",
        "Karta skradziona",
        "Creditcardfraude",
        "Betaling geweigerd",
        "Verdachte bestelling",
        "Mistanke om kortsvindel",
        "Betaling afvist",
        "Kortet er stjålet",
        "不正利用の疑い",
        "カードが拒否されました",
        "チャージバック",
        "Commande risquée",
        "RISQUÉE",
        "Refus bancaire",
        "Rejet bancaire",
        "PAIEMENT REFUSE",
        "Carte volee",
        "Retrofacturation",
        "Carte mise en opposition",
        "Paiement impayé",
        "Litige bancaire",
        "Commande douteuse",
        "Paiement contesté",
        "Carte piratée",
        "Usurpation d'identité",
        "Vérification antifraude",
        "Vol de carte",
        "Posible estafa",
        "Reportada por robo",
        "Tarjeta hurtada",
        "Pago dudoso",
        "Pago en disputa",
        "Suplantación de identidad",
        "Suplantacion de identidad",
        "Pago negado",
        "Antifraud check",
        "Controllo antifrode non superato",
        "Carta sottratta al titolare",
        "Pagamento non autorizzato dalla banca",
        "不正な注文の可能性があるため",
        "不正検知システムによりキャンセル",
        "与信審査に通りませんでした",
        "ＦＲＡＵＤ　チェック",
        "Obciążenie zwrotne zgłoszone przez bank",
        "Wyludzenie",
        "Falszywe dane karty",
        "Wegens verdenking geannuleerd",
        "Betaling niet geautoriseerd",
        "Tilbageførsel fra kortudsteder",
        "Betalingen blev ikke godkendt",
        "Pagamento não aprovado pela operadora",
        "Compra não autorizada pelo titular do cartão",
        "Unauthorized transaction",
        "Disputed by cardholder",
        "Card reported lost",
        "Payment not approved",
        "payment-not-approved",
        "Charge-back from the bank",
        "Charge Back",
        "charge\u{2011}back opened",
        "Terugboeking door de bank",
        "Återdebitering av kortet",
        "Tilbakeføring fra banken",
        "Avvisat kort",
        "カード拒否",
    ] {
        assert!(speaks_of_suspicion(reason), "{reason}");
        // As a platform's code, its spaces made underscores.
        assert!(speaks_of_suspicion(&reason.replace(' ', "_")), "{reason}");
    }
}

#[test]
fn words_are_caught_through_what_does_not_show_and_marks_put_on_them() {
    for reason in [
        "fr\u{200B}aud",
        "Fr\u{AD}aud suspected",
        "F\u{2060}R\u{FEFF}A\u{200D}U\u{2800}D",
        "FRÁUD",
        "Chargébäck",
        "Betr\u{200B}ug",
        "欺\u{200B}诈",
        "Payment\ndeclined",
        "card\tstolen",
        "card\u{200B}stolen",
        "charge\u{2028}back",
        "Charge\r\nback",
        "charge  back",
        "Payment not\r\napproved",
        "charge\u{2E3A}back",
        "HighRisk",
        "PaymentDeclined",
        "CardStolen",
        "Rueckbuchung",
        "Ruckbuchung",
        "Geldwaesche",
        "Betruegerisch",
        "aterdebitering",
        "Aterkrav",
        "tilbakeforing",
        "tilbageforsel",
        "Naegtet",
        "Mistaenkelig",
        "Avslatt betaling",
        "Avslaatt",
        "Kortet stjalet",
        "Kort stjaalet",
        "Snydeforsog",
        "Snydeforsøg",
        "Bedraegeri",
        "Betaling afslaaet",
        "Kort nektet",
        "Rejected payment",
        "Payment rejected",
        // Checks that failed, and the services that run them.
        "Flagged by Signifyd",
        "Held for manual review",
        "Kount review",
        "AVS mismatch",
        "CVV check failed",
        "Address verification failed",
        "Identity could not be verified",
        "Failed 3-D Secure",
        "Customer on blocklist",
        "Customer banned",
        "Do not ship - bad actor",
        "Customer abusive to staff",
        "Serial returner",
        "Too many orders from this IP",
        "Proxy/VPN detected",
        "IP geolocation mismatch",
        "Velocity check",
        "Gift card abuse",
        "Security hold",
        "Payment reversed",
        "Under granskning",
        "Manuelle Prüfung",
    ] {
        assert!(speaks_of_suspicion(reason), "{reason:?}");
    }
}

#[test]
fn harmless_reasons_that_share_letters_with_another_languages_words_are_shown() {
    for reason in [
        "Robot vacuum sold out",
        "Robo vacuum discontinued",
        "Scampi out of stock",
        "Vinyl Vol. 1 repressing delayed",
        "Furtive Fox hoodie",
        "Bedraggled Teddy restocks soon",
        "Storno auf Kundenwunsch",
        "Truffes en rupture de stock",
        "Volet roulant en rupture",
        "El artículo llegó golpeado",
        "盗難防止タグの在庫切れ",
        "Robô de cozinha esgotado",
        "Robo Deluxe vacuum sold out",
        "In attesa di riscontro dal corriere",
        "Articles reçus endommagés",
        "Sin contestación del cliente",
        "El cliente no ha contestado",
        "We cannot authorize a second engraving",
        "Charge backordered items separately",
        "Refusion af beløbet",
        "Refusion udbetalt",
        "Estorno realizado no cartão",
        "BackOrder",
        "OutOfStock",
        // A shopper's news that shares a word with a failed check.
        "Please verify your address",
        "In attesa di verifica disponibilità",
        "Vérification du stock",
        "Verificando existencias",
        "Verfügbarkeitsprüfung läuft",
        "Adressprüfung",
        "Kvalitetsgranskning",
        "Artwork under review",
        "Logística reversa em andamento",
        "Retur til avs.",
        "Shipment blocked at customs",
        "Item banned in your country",
        "Security tag missing",
        "IP67 case back in stock",
    ] {
        assert!(!speaks_of_suspicion(reason), "{reason}");
    }
}

#[test]
fn every_word_is_caught_by_itself_and_none_is_caught_by_another() {
    for word in WORD_STARTS.iter().chain(ANYWHERE).chain(WHOLE) {
        assert!(speaks_of_suspicion(word), "{word}");
    }
    let [starts, whole] = unmarked_lists();
    for (i, a) in starts.iter().enumerate() {
        for (j, b) in starts.iter().enumerate() {
            assert!(i == j || !b.starts_with(a.as_str()), "{b} begins with {a}");
        }
        for b in whole {
            assert!(!b.starts_with(a.as_str()), "{b} begins with {a}");
        }
    }
    for (i, a) in ANYWHERE.iter().enumerate() {
        for (j, b) in ANYWHERE.iter().enumerate() {
            assert!(i == j || !b.contains(a), "{b} holds {a}");
        }
    }
}
